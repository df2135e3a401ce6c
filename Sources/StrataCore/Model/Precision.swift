/// Timestamp precision of a write (`precision=` on /write and /api/v2/write, `--precision`).
///
/// InfluxDB 1.x accepts `n`, `ns`, `u`, `us`, `µ`, `ms`, `s`, `m`, `h`; 2.x accepts `ns`,
/// `us`, `ms`, `s`. Strata accepts the union.
public enum Precision: String, Sendable, CaseIterable {
    case nanoseconds = "ns"
    case microseconds = "us"
    case milliseconds = "ms"
    case seconds = "s"
    case minutes = "m"
    case hours = "h"

    public init?(parameter: String) {
        switch parameter {
        case "n", "ns", "": self = .nanoseconds
        case "u", "us", "µ", "µs": self = .microseconds
        case "ms": self = .milliseconds
        case "s": self = .seconds
        case "m": self = .minutes
        case "h": self = .hours
        default: return nil
        }
    }

    /// Nanoseconds per unit.
    public var multiplier: Int64 {
        switch self {
        case .nanoseconds: 1
        case .microseconds: 1_000
        case .milliseconds: 1_000_000
        case .seconds: 1_000_000_000
        case .minutes: 60_000_000_000
        case .hours: 3_600_000_000_000
        }
    }
}
