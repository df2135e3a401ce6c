/// RFC 3339 in UTC as Go's `time.RFC3339Nano` writes it (`2006-01-02T15:04:05.999999999Z`):
/// the fraction's trailing zeros are trimmed and a whole second has no fraction at all,
/// which is how InfluxDB writes times. Pure arithmetic: no Foundation formatter in the
/// request path, and dates before 1970 work the same way. The query layer adds a zone's
/// offset (`RFC3339.format(_:in:)`).
public enum RFC3339 {
    public static func format(_ nanoseconds: Int64) -> String {
        let (seconds, fraction) = floorDivide(nanoseconds, 1_000_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        var out = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        out += pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 {
            var digits = pad(fraction, 9)
            while digits.last == "0" { digits.removeLast() }
            out += "." + digits
        }
        return out + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into nanoseconds since the epoch;
    /// nil when the text is not of that form or does not fit in Int64.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard (48...57).contains(b[i]) else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, (48...57).contains(b[i]) {
                if digits < 9 { fraction = fraction * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { fraction *= 10 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = number(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                let om = number(i + 4, 2)
            else { return nil }
            offset = (oh * 3_600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        var seconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second - offset
        // Borrow a second for a negative time with a fraction, so that Int64.min's own
        // instant (1677-09-21T00:12:43.145224192Z) does not overflow on the way.
        if seconds < 0, fraction > 0 {
            seconds += 1
            fraction -= 1_000_000_000
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    package static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v.magnitude)
        let body = s.count < width ? String(repeating: "0", count: width - s.count) + s : s
        return v < 0 ? "-" + body : body
    }
}
