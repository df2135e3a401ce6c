/// Time values written in a WHERE clause: RFC 3339 strings (`'2024-01-01T00:00:00Z'`,
/// with a fraction and a numeric offset), dates (`'2024-01-01'`) and `'2024-01-01 00:00:00'`,
/// as InfluxQL accepts them.
enum TimeLiteral {
    /// Nanoseconds since the epoch, or nil when `text` is not a time. Without an offset
    /// (`Z` or ±hh:mm) the text is `zone`'s wall-clock time (UTC when nil), as Go's
    /// ParseInLocation reads it for InfluxQL's tz().
    static func parse(_ text: String, zone: QueryZone? = nil) -> Int64? {
        guard let (t, local) = parseCivil(text) else { return nil }
        guard local, let zone else { return t }
        return zone.instant(local: t)
    }

    /// The time as if UTC, and whether the text gave no offset.
    private static func parseCivil(_ text: String) -> (Int64, Bool)? {
        var s = Array(text.utf8)[...]
        func number(_ digits: Int) -> Int64? {
            guard s.count >= digits else { return nil }
            var v: Int64 = 0
            for _ in 0..<digits {
                let c = s.removeFirst()
                guard (48...57).contains(c) else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard s.first == c else { return false }
            s.removeFirst()
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
              let day = number(2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var nanos: Int64 = 0
        if s.isEmpty { return (seconds * 1_000_000_000, true) }
        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: " ")),
              let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")),
              let second = number(2), hour < 24, minute < 60, second < 61 else { return nil }
        seconds += hour * 3600 + minute * 60 + second
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while let c = s.first, (48...57).contains(c) {
                s.removeFirst()
                if digits < 9 { nanos = nanos * 10 + Int64(c - 48) }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { nanos *= 10 }
        }
        let local = s.isEmpty
        if expect(UInt8(ascii: "Z")) || local {
            // A missing zone means UTC, as InfluxQL treats `'2024-01-01 00:00:00'`, unless tz().
        } else {
            let sign: Int64
            if expect(UInt8(ascii: "+")) { sign = 1 } else if expect(UInt8(ascii: "-")) { sign = -1 } else { return nil }
            guard let oh = number(2), expect(UInt8(ascii: ":")), let om = number(2) else { return nil }
            seconds -= sign * (oh * 3600 + om * 60)
        }
        guard s.isEmpty else { return nil }
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        return (ns + nanos, local)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
