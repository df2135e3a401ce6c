/// Durations in client messages (`every`, `grace`): an integer and an InfluxQL unit
/// (`ns`, `u`/`µs`, `ms`, `s`, `m`, `h`, `d`, `w`), e.g. `"1s"`, `"200ms"`, `"5m"`.
enum LiveDuration {
    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("u", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000), ("w", 604_800_000_000_000),
    ]

    /// Nanoseconds, or nil when `text` is not a duration (zero and negatives are not).
    static func parse(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let count = Int64(digits) else { return nil }
        let unit = String(text.dropFirst(digits.count))
        guard let scale = units.first(where: { $0.0 == unit })?.1 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, product > 0 else { return nil }
        return product
    }

    /// The largest whole unit: `1s`, `200ms`, `90s`.
    static func format(_ ns: Int64) -> String {
        for (unit, scale) in units.reversed() where unit != "µs" && unit != "u" && ns % scale == 0 {
            return "\(ns / scale)\(unit)"
        }
        return "\(ns)ns"
    }
}
