/// One zone of the system's IANA time zone database, read from its TZif file
/// (`/usr/share/zoneinfo/<name>`, Debian's tzdata; RFC 8536): the UTC offset in force at
/// any instant. Transitions come from the file's 64-bit block; instants after the last
/// transition follow the footer's POSIX TZ rule (`CST6CDT,M3.2.0,M11.1.0`), as a reader of
/// "slim" files must.
struct ZoneInfo: Sendable {
    /// Ascending transition instants (seconds since the epoch) and the offset from each on.
    let transitions: [Int64]
    let offsets: [Int32]
    /// The offset before the first transition (time type 0, RFC 8536 §3.2).
    let initialOffset: Int32
    let rule: PosixZoneRule?

    /// Seconds east of UTC at `t` (seconds since the epoch).
    func offset(at t: Int64) -> Int32 {
        if let rule, transitions.last.map({ t >= $0 }) ?? true { return rule.offset(at: t) }
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? initialOffset : offsets[lo - 1]
    }

    enum Failure: Error { case malformed(String) }

    /// Parses a TZif file of version 1 to 4 (version 1: the 32-bit block, no footer).
    init(bytes b: [UInt8]) throws(Failure) {
        var at = 0
        func u8() throws(Failure) -> UInt8 {
            guard at < b.count else { throw .malformed("truncated") }
            defer { at += 1 }
            return b[at]
        }
        func be(_ n: Int) throws(Failure) -> Int64 {
            guard at + n <= b.count else { throw .malformed("truncated") }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(b[at + i]) }
            at += n
            // Sign-extend: times and offsets are two's complement.
            let shift = UInt64(64 - 8 * n)
            return Int64(bitPattern: v << shift) >> Int64(shift)
        }
        func header() throws(Failure) -> (version: UInt8, counts: [Int]) {
            guard at + 44 <= b.count, Array(b[at..<(at + 4)]) == Array("TZif".utf8) else { throw .malformed("no TZif header") }
            let version = b[at + 4]
            at += 20
            var counts: [Int] = []
            for _ in 0..<6 {
                let c = try be(4)
                // A zone has a few thousand transitions at most; a count past this is damage.
                guard (0...100_000).contains(c) else { throw .malformed("count \(c)") }
                counts.append(Int(c))
            }
            return (version, counts)
        }
        func block(timeSize: Int, _ c: [Int]) throws(Failure) -> (times: [Int64], types: [Int], offsets: [Int32]) {
            let (isut, isstd, leap, timecnt, typecnt, charcnt) = (c[0], c[1], c[2], c[3], c[4], c[5])
            guard typecnt > 0 else { throw .malformed("no time types") }
            var times: [Int64] = []
            for _ in 0..<timecnt { times.append(try be(timeSize)) }
            var types: [Int] = []
            for _ in 0..<timecnt {
                let t = Int(try u8())
                guard t < typecnt else { throw .malformed("time type \(t) of \(typecnt)") }
                types.append(t)
            }
            var offsets: [Int32] = []
            for _ in 0..<typecnt {
                offsets.append(Int32(truncatingIfNeeded: try be(4)))
                at += 2  // isdst, desigidx
            }
            at += charcnt + leap * (timeSize + 4) + isstd + isut
            guard at <= b.count else { throw .malformed("truncated") }
            return (times, types, offsets)
        }
        let first = try header()
        var data = try block(timeSize: 4, first.counts)
        var rule: PosixZoneRule?
        if first.version >= UInt8(ascii: "2") {
            let second = try header()
            data = try block(timeSize: 8, second.counts)
            if at < b.count, b[at] == UInt8(ascii: "\n"), let end = b[(at + 1)...].firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: b[(at + 1)..<end], as: UTF8.self)
                rule = text.isEmpty ? nil : PosixZoneRule(text)
            }
        }
        transitions = data.times
        offsets = data.types.map { data.offsets[$0] }
        initialOffset = data.offsets[0]
        self.rule = rule
    }
}
