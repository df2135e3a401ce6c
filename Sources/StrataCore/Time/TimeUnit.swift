/// A unit of time as clients name it: the `precision` of a write (`precision=` on /write and
/// /api/v2/write, `strata import --precision`) and the `epoch` of a query's times.
///
/// InfluxDB 1.x accepts `n`, `ns`, `u`, `us`, `µ`, `µs`, `ms`, `s`, `m`, `h` for both; 2.x
/// writes take `ns`, `us`, `ms`, `s` (the route narrows). The raw value is the name InfluxDB's
/// own CLI prints (`u` for microseconds).
public enum TimeUnit: String, Sendable, CaseIterable {
    case hours = "h"
    case minutes = "m"
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "u"
    case nanoseconds = "ns"

    /// nil for anything else, the empty text included: a route decides what a missing
    /// parameter means.
    public init?(parameter: String) {
        switch parameter {
        case "h": self = .hours
        case "m": self = .minutes
        case "s": self = .seconds
        case "ms": self = .milliseconds
        case "u", "us", "µ", "µs": self = .microseconds
        case "n", "ns": self = .nanoseconds
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

    /// `nanoseconds` in this unit, truncated toward zero as InfluxDB's `ts.UnixNano() / divisor`.
    public func units(fromNanoseconds nanoseconds: Int64) -> Int64 {
        nanoseconds / nanosecondsPerUnit
    }
}
