/// Times and durations as messages show them, without Foundation's formatters.
public enum TimeText {
    /// RFC 3339 in UTC with the fraction trimmed (`2024-01-01T00:00:00.5Z`), as InfluxDB
    /// prints times.
    static func rfc3339(_ ns: Int64) -> String {
        let perDay: Int64 = 86_400_000_000_000
        var days = ns / perDay
        var rest = ns % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        let seconds = rest / 1_000_000_000
        let fraction = rest % 1_000_000_000
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction > 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// A duration in InfluxQL's literal form, in the largest unit that divides it
    /// (`7d`, `90m`, `1500ms`).
    static func duration(_ ns: Int64) -> String {
        let units: [(String, Int64)] = [
            ("w", 604_800_000_000_000), ("d", 86_400_000_000_000), ("h", 3_600_000_000_000),
            ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("u", 1_000),
        ]
        for (name, size) in units where ns != 0 && ns % size == 0 { return "\(ns / size)\(name)" }
        return "\(ns)ns"
    }

    /// Year, month, day of a day count from 1970-01-01 (H. Hinnant's `civil_from_days`,
    /// proleptic Gregorian calendar). Shared with the query layer's time formats.
    public static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let digits = String(v)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
