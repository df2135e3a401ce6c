import StrataQuery

/// Placeholder until the ingest server lands in this issue.
public enum StrataServerInfo {
    public static let version = "0.1.0"
}
