/// A `BlockStats` without a string in it, as plain memory: values as bit patterns with a
/// type tag each. A run of summaries holds its stats packed (`SummaryStatsColumn`): a
/// `BlockStats` is five enum values that may hold a string, so every copy, move and
/// destroy of one went through its type's value witnesses, about a sixth of the month's
/// hourly mean; packed ones copy as bytes.
struct PackedStats: Sendable {
    var count: Int
    var firstTime: Int64
    var lastTime: Int64
    var minTime: Int64
    var maxTime: Int64
    /// first, last, min, max, sum.
    var bits: (UInt64, UInt64, UInt64, UInt64, UInt64)
    /// A `Tag` per value of `bits`, in the same order, 4 bits each; `minTime` and `maxTime`
    /// present: bits 20 and 21.
    var tags: UInt32

    private enum Tag: UInt32 {
        case absent = 0, float, integer, unsigned, boolean
    }

    /// Nil for stats holding a string.
    init?(_ s: BlockStats) {
        guard let first = Self.pack(s.first), let last = Self.pack(s.last),
              let min = Self.pack(s.min), let max = Self.pack(s.max), let sum = Self.pack(s.sum) else { return nil }
        count = s.count
        firstTime = s.firstTime
        lastTime = s.lastTime
        minTime = s.minTime ?? 0
        maxTime = s.maxTime ?? 0
        bits = (first.bits, last.bits, min.bits, max.bits, sum.bits)
        tags = first.tag.rawValue | last.tag.rawValue << 4 | min.tag.rawValue << 8 | max.tag.rawValue << 12
            | sum.tag.rawValue << 16 | (s.minTime == nil ? 0 : 1 << 20) | (s.maxTime == nil ? 0 : 1 << 21)
    }

    /// `BlockStats.merged` on packed stats (`later` starts after these end): counts and
    /// sums add, the earlier first and the later last stand, a strictly smaller (greater)
    /// later value replaces the least (greatest) with its time. Nil where an integer or
    /// unsigned sum would overflow, or one side has a sum the other lacks.
    func merged(with later: PackedStats) -> PackedStats? {
        var out = self
        out.count += later.count
        (out.bits.1, out.lastTime) = (later.bits.1, later.lastTime)
        out.setTag(later.tag(4), at: 4)
        switch (tag(16), later.tag(16)) {
        case (.float, .float): out.bits.4 = (Double(bitPattern: bits.4) + Double(bitPattern: later.bits.4)).bitPattern
        case (.integer, .integer):
            let (s, overflow) = Int64(bitPattern: bits.4).addingReportingOverflow(Int64(bitPattern: later.bits.4))
            guard !overflow else { return nil }
            out.bits.4 = UInt64(bitPattern: s)
        case (.unsigned, .unsigned):
            let (s, overflow) = bits.4.addingReportingOverflow(later.bits.4)
            guard !overflow else { return nil }
            out.bits.4 = s
        case (.absent, .absent): break
        default: return nil
        }
        if later.tag(8) != .absent, tag(8) == .absent || Self.less(later.bits.2, later.tag(8), bits.2, tag(8)) {
            out.bits.2 = later.bits.2
            out.setTag(later.tag(8), at: 8)
            out.minTime = later.minTime
            out.tags = out.tags & ~(1 << 20) | later.tags & (1 << 20)
        }
        if later.tag(12) != .absent, tag(12) == .absent || Self.less(bits.3, tag(12), later.bits.3, later.tag(12)) {
            out.bits.3 = later.bits.3
            out.setTag(later.tag(12), at: 12)
            out.maxTime = later.maxTime
            out.tags = out.tags & ~(1 << 21) | later.tags & (1 << 21)
        }
        return out
    }

    private func tag(_ shift: UInt32) -> Tag { Tag(rawValue: (tags >> shift) & 0xF) ?? .absent }

    private mutating func setTag(_ tag: Tag, at shift: UInt32) {
        tags = tags & ~(0xF << shift) | tag.rawValue << shift
    }

    /// The order `BlockStats.merged` compares values of one field in.
    private static func less(_ a: UInt64, _ ta: Tag, _ b: UInt64, _ tb: Tag) -> Bool {
        switch (ta, tb) {
        case (.float, .float): Double(bitPattern: a) < Double(bitPattern: b)
        case (.integer, .integer): Int64(bitPattern: a) < Int64(bitPattern: b)
        case (.unsigned, .unsigned): a < b
        case (.boolean, .boolean): a == 0 && b != 0
        default: false
        }
    }

    /// Whether `sum` is there (an integer sum that overflowed is not).
    var hasSum: Bool { (tags >> 16) & 0xF != 0 }

    var sum: FieldValue? { Self.unpack(bits.4, tags >> 16) }

    var stats: BlockStats {
        var s = BlockStats(count: count, first: Self.unpack(bits.0, tags) ?? .float(.nan), firstTime: firstTime,
                           last: Self.unpack(bits.1, tags >> 4) ?? .float(.nan), lastTime: lastTime)
        s.min = Self.unpack(bits.2, tags >> 8)
        s.max = Self.unpack(bits.3, tags >> 12)
        s.sum = Self.unpack(bits.4, tags >> 16)
        if tags & (1 << 20) != 0 { s.minTime = minTime }
        if tags & (1 << 21) != 0 { s.maxTime = maxTime }
        return s
    }

    private static func pack(_ value: FieldValue?) -> (bits: UInt64, tag: Tag)? {
        switch value {
        case nil: (0, .absent)
        case .float(let d)?: (d.bitPattern, .float)
        case .integer(let i)?: (UInt64(bitPattern: i), .integer)
        case .unsigned(let u)?: (u, .unsigned)
        case .boolean(let b)?: (b ? 1 : 0, .boolean)
        case .string?: nil
        }
    }

    private static func unpack(_ bits: UInt64, _ tags: UInt32) -> FieldValue? {
        switch Tag(rawValue: tags & 0xF) {
        case .float: .float(Double(bitPattern: bits))
        case .integer: .integer(Int64(bitPattern: bits))
        case .unsigned: .unsigned(bits)
        case .boolean: .boolean(bits != 0)
        case .absent, nil: nil
        }
    }
}

/// One field's stats over a run's summaries: packed while none holds a string, else as
/// they came. Nil (count 0 when packed) where the field has no value in a summary.
public struct SummaryStatsColumn: Sendable {
    /// Stored arrays, not an enum holding them: an array bound out of an enum case and put
    /// back was copied whole on some appends (a memmove per summary).
    private var packed: [PackedStats]
    /// Set, and `packed` emptied, once a summary's stats cannot be packed.
    private var boxed: [BlockStats?]?

    init(absentFor count: Int) {
        packed = [PackedStats](repeating: PackedStats.absent, count: count)
    }

    /// Values of the field in summary `i` (0 where it has none), without making its stats.
    public func count(at i: Int) -> Int {
        if let boxed { return boxed[i]?.count ?? 0 }
        return packed[i].count
    }

    /// The sum in summary `i`, without making its stats: what sum() and mean() fold.
    public func sum(at i: Int) -> FieldValue? {
        if let boxed { return boxed[i]?.sum }
        return packed[i].count == 0 ? nil : packed[i].sum
    }

    /// Summary `i`'s stats as they are held, if packed and present.
    func packed(at i: Int) -> PackedStats? {
        guard boxed == nil, packed[i].count > 0 else { return nil }
        return packed[i]
    }

    public subscript(i: Int) -> BlockStats? {
        if let boxed { return boxed[i] }
        return packed[i].count == 0 ? nil : packed[i].stats
    }

    /// A summary in which the field has no value (yet: `set` gives it one).
    mutating func appendAbsent() {
        if boxed == nil { packed.append(PackedStats.absent) } else { boxed!.append(nil) }
    }

    /// Sets summary `i` from stats already packed (a block header's: no `BlockStats` made).
    mutating func set(_ i: Int, packed p: PackedStats) {
        guard boxed == nil, p.count > 0 else { return set(i, p.stats) }
        packed[i] = p
    }

    mutating func set(_ i: Int, _ s: BlockStats) {
        if boxed == nil {
            if let p = PackedStats(s), p.count > 0 { return packed[i] = p }
            unpack()
        }
        boxed![i] = s
    }

    mutating func reserveCapacity(_ n: Int) {
        if boxed == nil { packed.reserveCapacity(n) } else { boxed!.reserveCapacity(n) }
    }

    private mutating func unpack() {
        boxed = packed.map { $0.count == 0 ? nil : $0.stats }
        packed = []
    }
}

extension PackedStats {
    /// A field without a value in a summary.
    static let absent = PackedStats(count: 0, firstTime: 0, lastTime: 0, minTime: 0, maxTime: 0, bits: (0, 0, 0, 0, 0), tags: 0)

    private init(count: Int, firstTime: Int64, lastTime: Int64, minTime: Int64, maxTime: Int64,
                 bits: (UInt64, UInt64, UInt64, UInt64, UInt64), tags: UInt32) {
        self.count = count
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.minTime = minTime
        self.maxTime = maxTime
        self.bits = bits
        self.tags = tags
    }
}

extension PackedStats {
    /// A float field's stats, packed without a `BlockStats` (a tier run's, folded on its
    /// columns). `min` and `max` come with their times; nil ones and a nil `sum` are absent.
    init(floats count: Int, first: Double, firstTime: Int64, last: Double, lastTime: Int64,
         min: (value: Double, time: Int64)?, max: (value: Double, time: Int64)?, sum: Double?) {
        let float = Tag.float.rawValue
        self.init(count: count, firstTime: firstTime, lastTime: lastTime, minTime: min?.time ?? 0,
                  maxTime: max?.time ?? 0,
                  bits: (first.bitPattern, last.bitPattern, min?.value.bitPattern ?? 0, max?.value.bitPattern ?? 0,
                         sum?.bitPattern ?? 0),
                  tags: float | float << 4 | (min == nil ? 0 : float << 8 | 1 << 20)
                      | (max == nil ? 0 : float << 12 | 1 << 21) | (sum == nil ? 0 : float << 16))
    }
}
