/// How `time` is written in data messages.
enum TimeFormat: String, Sendable, Equatable {
    /// Integer nanoseconds since the epoch.
    case ns
    /// RFC 3339 with nanoseconds, trailing zeros trimmed (InfluxDB's `time` without epoch).
    case rfc3339
}
