import StrataCore

/// The query layer (InfluxQL); built in the query issue. For now it only names itself so
/// the dependency chain strata → StrataServer → StrataQuery → StrataCore is in place.
public enum StrataQuery {
    public static let version = "0.1.0"
}
