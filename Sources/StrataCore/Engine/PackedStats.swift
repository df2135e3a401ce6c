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
    private enum Storage: Sendable {
        case packed([PackedStats])
        case boxed([BlockStats?])
    }

    private var storage: Storage

    init(absentFor count: Int) {
        storage = .packed([PackedStats](repeating: PackedStats.absent, count: count))
    }

    public subscript(i: Int) -> BlockStats? {
        switch storage {
        case .packed(let p): p[i].count == 0 ? nil : p[i].stats
        case .boxed(let b): b[i]
        }
    }

    mutating func append(_ s: BlockStats?) {
        if case .packed(var p) = storage {
            // A string, or a count of 0 (which packed means absent), is held boxed.
            let packed = s.map { PackedStats($0).flatMap { $0.count > 0 ? $0 : nil } } ?? PackedStats.absent
            if let packed {
                storage = .boxed([])  // so `p` is uniquely referenced while it grows
                p.append(packed)
                storage = .packed(p)
                return
            }
            storage = .boxed(p.map { $0.count == 0 ? nil : $0.stats })
        }
        guard case .boxed(var b) = storage else { return }
        storage = .boxed([])
        b.append(s)
        storage = .boxed(b)
    }

    mutating func set(_ i: Int, _ s: BlockStats) {
        if case .packed(var p) = storage, let packed = PackedStats(s), packed.count > 0 {
            storage = .boxed([])
            p[i] = packed
            storage = .packed(p)
            return
        }
        if case .packed(let p) = storage { storage = .boxed(p.map { $0.count == 0 ? nil : $0.stats }) }
        guard case .boxed(var b) = storage else { return }
        storage = .boxed([])
        b[i] = s
        storage = .boxed(b)
    }

    mutating func reserveCapacity(_ n: Int) {
        switch storage {
        case .packed(var p):
            storage = .boxed([])
            p.reserveCapacity(n)
            storage = .packed(p)
        case .boxed(var b):
            storage = .boxed([])
            b.reserveCapacity(n)
            storage = .boxed(b)
        }
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
