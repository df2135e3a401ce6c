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

    public subscript(i: Int) -> BlockStats? {
        if let boxed { return boxed[i] }
        return packed[i].count == 0 ? nil : packed[i].stats
    }

    mutating func append(_ s: BlockStats?) {
        if boxed == nil {
            guard let s else { return packed.append(PackedStats.absent) }
            // A string, or a count of 0 (which packed means absent), is held boxed.
            if let p = PackedStats(s), p.count > 0 { return packed.append(p) }
            unpack()
        }
        boxed!.append(s)
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
