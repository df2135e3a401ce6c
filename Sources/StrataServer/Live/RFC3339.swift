import StrataQuery

/// Times as RFC 3339 text, through StrataQuery's formatter (InfluxDB's exact form).
enum RFC3339 {
    static func parse(_ text: String) -> Int64? { RFC3339Nano.parse(text) }
    static func format(_ ns: Int64) -> String { RFC3339Nano.format(ns) }
}
