import StrataCore

/// A POSIX TZ rule as a TZif footer holds it (RFC 8536 §3.3, POSIX.1 `TZ`):
/// `std offset [dst [offset] [,start[/time],end[/time]]]`, e.g. `CST6CDT,M3.2.0,M11.1.0`,
/// `<+0545>-5:45`, `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`. Offsets are written west of UTC
/// (`CST6` is UTC−6); kept here east of UTC, in seconds.
struct PosixZoneRule: Sendable, Equatable {
    let standard: Int32
    /// nil: no daylight time.
    let daylight: Int32?
    let start: DayRule
    let end: DayRule

    /// When daylight time starts or ends in a year: a day and a local time (seconds).
    enum DayRule: Sendable, Equatable {
        /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = the last) of month `m`.
        case monthWeekDay(month: Int64, week: Int64, day: Int64, time: Int64)
        /// `Jn`: day n, 1…365, February 29 never counted.
        case julian(Int64, time: Int64)
        /// `n`: day n, 0…365, February 29 counted.
        case zeroBased(Int64, time: Int64)
    }

    /// nil when `text` is not a rule this reader knows.
    init?(_ text: String) {
        var s = Substring(text)
        guard Self.name(&s) != nil, let std = Self.offset(&s) else { return nil }
        standard = Int32(-std)
        guard !s.isEmpty else {
            daylight = nil
            start = .julian(1, time: 0)
            end = .julian(1, time: 0)
            return
        }
        guard Self.name(&s) != nil else { return nil }
        var dst = std - 3_600
        if let first = s.first, first != "," { guard let o = Self.offset(&s) else { return nil }; dst = o }
        daylight = Int32(-dst)
        // No rule: the US rule, as tzcode assumes.
        guard s.first == "," else {
            guard s.isEmpty else { return nil }
            start = .monthWeekDay(month: 3, week: 2, day: 0, time: 7_200)
            end = .monthWeekDay(month: 11, week: 1, day: 0, time: 7_200)
            return
        }
        s.removeFirst()
        guard let a = Self.dayRule(&s), s.first == "," else { return nil }
        s.removeFirst()
        guard let b = Self.dayRule(&s), s.isEmpty else { return nil }
        start = a
        end = b
    }

    /// Seconds east of UTC at `t` (seconds since the epoch).
    func offset(at t: Int64) -> Int32 {
        guard let daylight else { return standard }
        let (days, _) = Self.floorDivide(t, 86_400)
        let (year, _, _) = CivilCalendar.date(fromDays: days)
        // The start is a local standard time, the end a local daylight time.
        let on = start.instant(year: year) - Int64(standard)
        let off = end.instant(year: year) - Int64(daylight)
        let inDaylight = on < off ? (on <= t && t < off) : !(off <= t && t < on)
        return inDaylight ? daylight : standard
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// `std`/`dst`: three or more letters, or anything but `>` inside `<…>`.
    private static func name(_ s: inout Substring) -> Substring? {
        if s.first == "<" {
            guard let close = s.firstIndex(of: ">") else { return nil }
            let name = s[s.index(after: s.startIndex)..<close]
            s = s[s.index(after: close)...]
            return name
        }
        let name = s.prefix { $0.isLetter }
        guard name.count >= 3 else { return nil }
        s = s.dropFirst(name.count)
        return name
    }

    /// `[+-]hh[:mm[:ss]]`, in seconds (the sign as written).
    private static func offset(_ s: inout Substring) -> Int64? {
        var sign: Int64 = 1
        if s.first == "+" || s.first == "-" {
            if s.first == "-" { sign = -1 }
            s.removeFirst()
        }
        var parts: [Int64] = []
        repeat {
            if !parts.isEmpty { s.removeFirst() }
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 3, let v = Int64(digits) else { return nil }
            parts.append(v)
            s = s.dropFirst(digits.count)
        } while s.first == ":" && parts.count < 3
        guard parts[0] <= 167, parts.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
        let seconds = parts[0] * 3_600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
        return sign * seconds
    }

    /// `Mm.w.d`, `Jn` or `n`, then `[/time]` (default 02:00).
    private static func dayRule(_ s: inout Substring) -> DayRule? {
        func number(_ range: ClosedRange<Int64>) -> Int64? {
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 3, let v = Int64(digits), range.contains(v) else { return nil }
            s = s.dropFirst(digits.count)
            return v
        }
        func time() -> Int64? {
            guard s.first == "/" else { return 7_200 }
            s.removeFirst()
            return offset(&s)
        }
        switch s.first {
        case "M":
            s.removeFirst()
            guard let m = number(1...12), s.popFirst() == ".", let w = number(1...5), s.popFirst() == ".",
                  let d = number(0...6), let t = time() else { return nil }
            return .monthWeekDay(month: m, week: w, day: d, time: t)
        case "J":
            s.removeFirst()
            guard let n = number(1...365), let t = time() else { return nil }
            return .julian(n, time: t)
        default:
            guard let n = number(0...365), let t = time() else { return nil }
            return .zeroBased(n, time: t)
        }
    }
}

extension PosixZoneRule.DayRule {
    /// The rule's day and time in `year`, as seconds since the epoch of that local time.
    func instant(year: Int64) -> Int64 {
        let jan1 = TimeLiteral.daysFromCivil(year: year, month: 1, day: 1)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        switch self {
        case let .julian(n, time):
            return (jan1 + n - 1 + (leap && n >= 60 ? 1 : 0)) * 86_400 + time
        case let .zeroBased(n, time):
            return (jan1 + n) * 86_400 + time
        case let .monthWeekDay(month, week, day, time):
            let first = TimeLiteral.daysFromCivil(year: year, month: month, day: 1)
            let next = month == 12 ? TimeLiteral.daysFromCivil(year: year + 1, month: 1, day: 1)
                : TimeLiteral.daysFromCivil(year: year, month: month + 1, day: 1)
            // 1970-01-01 was a Thursday (4).
            let weekday = ((first + 4) % 7 + 7) % 7
            var d = first + (day - weekday + 7) % 7 + (week - 1) * 7
            while d >= next { d -= 7 }
            return d * 86_400 + time
        }
    }
}
