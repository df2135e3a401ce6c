/// The tombstones that still mask segment data, indexed per series for reads.
/// Not thread-safe: the engine guards it.
struct TombstoneSet {
    /// What a read needs of one tombstone for one series.
    struct Mask: Sendable, Equatable {
        var sequence: UInt64
        var range: ClosedRange<Int64>
    }

    /// Ascending sequence.
    private(set) var all: [Tombstone] = []
    private var byKey: [String: [SeriesKey: [Mask]]] = [:]

    var isEmpty: Bool { all.isEmpty }

    init(_ tombstones: [Tombstone] = []) {
        for t in tombstones { add(t) }
    }

    /// Adds a tombstone unless one with its sequence is already known (replay meets the
    /// tombstones the manifest carries again in the WAL). Returns whether it was new.
    @discardableResult
    mutating func add(_ t: Tombstone) -> Bool {
        let at = all.partitioningIndex { $0.sequence >= t.sequence }
        if at < all.count && all[at].sequence == t.sequence { return false }
        all.insert(t, at: at)
        for key in t.keys {
            byKey[t.database, default: [:]][key, default: []].append(Mask(sequence: t.sequence, range: t.interval))
        }
        return true
    }

    /// Masks naming the series, in no particular order.
    func masks(database: String, key: SeriesKey) -> [Mask] {
        byKey[database]?[key] ?? []
    }

    /// Forgets tombstones that can mask nothing any more: those at or below `sequence`,
    /// when every segment (and every frozen head still to become one) holds only data
    /// written at or after it.
    mutating func prune(atOrBelow sequence: UInt64) {
        guard let first = all.first, first.sequence <= sequence else { return }
        self = TombstoneSet(all.filter { $0.sequence > sequence })
    }
}

extension Array where Element == TombstoneSet.Mask {
    /// The ranges that mask data of a segment flushed through `flushedThrough`.
    func ranges(maskingSegmentFlushedThrough flushedThrough: UInt64) -> [ClosedRange<Int64>] {
        compactMap { $0.sequence > flushedThrough ? $0.range : nil }
    }
}

extension SegmentSeries {
    /// Whether a row block's time span reaches outside `masks` (their union): then rows
    /// of the series may remain in the file. A block straddling a masked range counts as
    /// holding rows, so a series can stay listed until compaction rewrites the file.
    func holdsUnmaskedRows(_ masks: [ClosedRange<Int64>]) -> Bool {
        guard !masks.isEmpty else { return !rowBlocks.isEmpty }
        let sorted = masks.sorted { $0.lowerBound < $1.lowerBound }
        return rowBlocks.contains { !Self.covers(sorted, $0.minTime...$0.maxTime) }
    }

    /// Whether the union of `sorted` (by lower bound) covers `span`.
    static func covers(_ sorted: [ClosedRange<Int64>], _ span: ClosedRange<Int64>) -> Bool {
        var next = span.lowerBound
        for r in sorted {
            if r.lowerBound > next { return false }
            if r.upperBound >= span.upperBound { return true }
            if r.upperBound >= next { next = r.upperBound + 1 }
        }
        return false
    }
}
