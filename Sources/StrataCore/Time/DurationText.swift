/// Durations as text, in the three forms Strata reads and writes. One grammar: a duration
/// is one or more parts, each a whole number and a unit; the dialect says which units
/// there are, whether there may be several parts and what a bare number means.
///
/// | dialect    | example       | parts | units                              | bare number |
/// |------------|---------------|-------|------------------------------------|-------------|
/// | `influxQL` | `1h30m`, `5u` | many  | ns, u/µ, ms, s, m, h, d, w         | invalid     |
/// | `message`  | `200ms`, `1s` | one   | ns, u/us/µs, ms, s, m, h, d, w     | invalid     |
/// | `flag`     | `90s`, `2w`   | one   | s, m, h, d, w                      | seconds, unless `unitRequired` |
///
/// `influxQL` is InfluxQL's duration literal (and `params` bound as durations), `message`
/// the live protocol's `every` and `grace` (docs/websocket-protocol.md), `flag` the
/// command line's (`--raw-retention 2w`, `--query-timeout 30s`). None takes a sign or a
/// fraction. Go's `time.Duration.String()` (`168h0m0s`) is written by `goString`, never read.
public enum DurationText {
    public enum Dialect: Sendable, Equatable {
        case influxQL
        case message
        /// `unitRequired`: a bare number is refused rather than read as seconds, where a
        /// forgotten unit would cost data (`--raw-retention 30` is not 30 s).
        case flag(unitRequired: Bool)
    }

    public enum Failure: Error, Equatable, Sendable {
        case invalid
        /// The part that pushed the total past Int64 nanoseconds, e.g. `9999999999h`.
        case overflow(String)

        /// InfluxDB's wording.
        public var message: String {
            switch self {
            case .invalid: "invalid duration"
            case .overflow(let part): "overflowed duration \(part): choose a smaller duration or INF"
            }
        }
    }

    /// Nanoseconds in `text`. Zero is a duration (`0s`); callers that need a positive one say so.
    public static func parse(_ text: String, _ dialect: Dialect) -> Result<Int64, Failure> {
        let scalars = Array(text.unicodeScalars)
        var total: Int64 = 0
        var i = 0
        repeat {
            let start = i
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            guard i > start, let count = Int64(String(String.UnicodeScalarView(scalars[start..<i]))) else {
                return .failure(.invalid)
            }
            let scale: Int64
            if i == scalars.count, case .flag(unitRequired: false) = dialect {
                scale = 1_000_000_000
            } else {
                guard let (unitNanos, length) = unit(scalars, at: i, dialect) else { return .failure(.invalid) }
                scale = unitNanos
                i += length
            }
            let (part, partOverflow) = count.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            if partOverflow || sumOverflow {
                return .failure(.overflow(String(String.UnicodeScalarView(scalars[start..<i]))))
            }
            total = sum
        } while i < scalars.count && dialect == .influxQL
        return i == scalars.count ? .success(total) : .failure(.invalid)
    }

    /// `ns` in the largest unit of `dialect` that divides it (`7d`, `90m`, `1500ms`; zero
    /// is `0ns`). Parses back to `ns` in the InfluxQL and message dialects; a flag has no
    /// unit below the second, so its sub-second durations are written as InfluxQL's are.
    public static func format(_ ns: Int64, _ dialect: Dialect) -> String {
        if ns == 0 { return "0ns" }
        let micro = dialect == .message ? "us" : "u"
        let units: [(String, Int64)] = [
            ("w", 604_800_000_000_000), ("d", 86_400_000_000_000), ("h", 3_600_000_000_000),
            ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), (micro, 1_000),
        ]
        for (name, size) in units where ns % size == 0 { return "\(ns / size)\(name)" }
        return "\(ns)ns"
    }

    /// Nanoseconds per unit and the unit's length in scalars, for the unit at `i`; nil when
    /// `dialect` has no unit there. The longest unit wins (`ms` over `m`, `us` over `u`).
    private static func unit(_ s: [Unicode.Scalar], at i: Int, _ dialect: Dialect) -> (Int64, Int)? {
        guard i < s.count else { return nil }
        let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
        switch (s[i], dialect) {
        case ("n", .influxQL), ("n", .message): return next == "s" ? (1, 2) : nil
        case ("u", .message): return (1_000, next == "s" ? 2 : 1)
        case ("µ", .message): return next == "s" ? (1_000, 2) : nil
        case ("u", .influxQL), ("µ", .influxQL): return (1_000, 1)
        case ("m", .influxQL), ("m", .message): return next == "s" ? (1_000_000, 2) : (60_000_000_000, 1)
        case ("m", .flag): return (60_000_000_000, 1)
        case ("s", _): return (1_000_000_000, 1)
        case ("h", _): return (3_600_000_000_000, 1)
        case ("d", _): return (86_400_000_000_000, 1)
        case ("w", _): return (604_800_000_000_000, 1)
        default: return nil
        }
    }
}
