/// The `epoch` of an InfluxDB 1.x /query request: times as integers in this unit instead of
/// RFC 3339 strings.
public enum TimeEpoch: String, Sendable, CaseIterable {
    case hours = "h"
    case minutes = "m"
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "u"
    case nanoseconds = "ns"

    /// `h`, `m`, `s`, `ms`, `u`/`us`/`µ`/`µs`, `ns`/`n`; nil for anything else.
    public init?(parameter: String) {
        switch parameter {
        case "h": self = .hours
        case "m": self = .minutes
        case "s": self = .seconds
        case "ms": self = .milliseconds
        case "u", "us", "µ", "µs": self = .microseconds
        case "ns", "n": self = .nanoseconds
        default: return nil
        }
    }

    public var nanosecondsPerUnit: Int64 {
        switch self {
        case .hours: 3_600_000_000_000
        case .minutes: 60_000_000_000
        case .seconds: 1_000_000_000
        case .milliseconds: 1_000_000
        case .microseconds: 1_000
        case .nanoseconds: 1
        }
    }

    /// Truncated division (toward zero), as InfluxDB's `ts.UnixNano() / divisor`.
    public func convert(_ nanoseconds: Int64) -> Int64 {
        nanoseconds / nanosecondsPerUnit
    }
}
