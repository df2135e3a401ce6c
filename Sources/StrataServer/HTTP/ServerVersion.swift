/// Version strings the server and the CLI report.
public enum ServerVersion {
    /// Strata's own version (`strata --version`, /health).
    public static let strata = "0.1.0"
    /// What `X-Influxdb-Version` says. InfluxDB 1.x clients read this header to decide which
    /// API to speak (some refuse a server whose version does not parse as 1.x), so it names
    /// the InfluxDB release whose /write and /query behaviour Strata follows.
    public static let influxCompatible = "1.8.10-strata"
}
