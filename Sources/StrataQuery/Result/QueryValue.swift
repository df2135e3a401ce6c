/// One cell of a result row. `time` is kept apart from `integer` because formatters render
/// it by the request's `epoch` (RFC 3339 by default) while integers stay integers.
public enum QueryValue: Sendable, Equatable, Hashable {
    case null
    case float(Double)
    case integer(Int64)
    case unsigned(UInt64)
    case string(String)
    case boolean(Bool)
    /// Nanoseconds since the Unix epoch.
    case time(Int64)
}
