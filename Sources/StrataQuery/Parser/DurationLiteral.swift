/// InfluxQL duration literals: one or more `<digits><unit>` parts, units `ns`, `u`/`µ`, `ms`,
/// `s`, `m`, `h`, `d`, `w` (`1h30m`).
enum DurationLiteral {
    enum Failure: Error, Equatable {
        case invalid
        /// The part that pushed the total past Int64 nanoseconds, e.g. `9999999999h`.
        case overflow(String)

        /// InfluxDB's wording.
        var message: String {
            switch self {
            case .invalid: return "invalid duration"
            case .overflow(let part): return "overflowed duration \(part): choose a smaller duration or INF"
            }
        }
    }

    /// Nanoseconds in `text`, which holds no sign.
    static func parse(_ text: String) -> Result<Int64, Failure> {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2 else { return .failure(.invalid) }
        var total: Int64 = 0
        var i = 0
        while i < scalars.count {
            let start = i
            while i < scalars.count, Lexer.isDigit(scalars[i]) { i += 1 }
            guard i < scalars.count, i > start else { return .failure(.invalid) }
            let digits = String(String.UnicodeScalarView(scalars[start..<i]))
            guard let count = Int64(digits) else { return .failure(.invalid) }

            let unitNanos: Int64
            var unitLength = 1
            switch scalars[i] {
            case "n":
                guard i + 1 < scalars.count, scalars[i + 1] == "s" else { return .failure(.invalid) }
                unitNanos = 1
                unitLength = 2
            case "u", "µ":
                unitNanos = 1_000
            case "m":
                if i + 1 < scalars.count, scalars[i + 1] == "s" {
                    unitNanos = 1_000_000
                    unitLength = 2
                } else {
                    unitNanos = 60_000_000_000
                }
            case "s": unitNanos = 1_000_000_000
            case "h": unitNanos = 3_600_000_000_000
            case "d": unitNanos = 86_400_000_000_000
            case "w": unitNanos = 604_800_000_000_000
            default: return .failure(.invalid)
            }
            let unit = String(String.UnicodeScalarView(scalars[i..<(i + unitLength)]))
            i += unitLength

            let (part, partOverflow) = count.multipliedReportingOverflow(by: unitNanos)
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            if partOverflow || sumOverflow { return .failure(.overflow("\(count)\(unit)")) }
            total = sum
        }
        return .success(total)
    }
}
