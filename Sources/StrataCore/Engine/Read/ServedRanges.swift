/// The times one kind of source served in a scan (raw rows, block headers, or a rollup
/// tier), as disjoint ascending ranges, for EXPLAIN ANALYZE. Ranges that touch or overlap
/// are coalesced, so a hundred series served alike give one range.
public struct ServedRanges: Sendable, Equatable {
    public private(set) var ranges: [ClosedRange<Int64>] = []

    public init() {}

    public mutating func insert(_ r: ClosedRange<Int64>) {
        // The ranges that touch or overlap r form one run [first, end): found by binary
        // search, since a scan inserts a range per bucket and a copy per insert was
        // quadratic.
        let first = ranges.partitioningIndex { !Self.endsBefore($0, r.lowerBound) }
        var end = first
        while end < ranges.count && !Self.startsAfter(ranges[end], r.upperBound) { end += 1 }
        guard first < end else {
            ranges.insert(r, at: first)
            return
        }
        let merged = min(r.lowerBound, ranges[first].lowerBound)...max(r.upperBound, ranges[end - 1].upperBound)
        ranges.replaceSubrange(first..<end, with: CollectionOfOne(merged))
    }

    /// `x` ends before `t` with a gap: it neither overlaps nor touches a range starting at t.
    private static func endsBefore(_ x: ClosedRange<Int64>, _ t: Int64) -> Bool {
        x.upperBound < t && x.upperBound &+ 1 != t
    }

    /// `x` starts after `t` with a gap.
    private static func startsAfter(_ x: ClosedRange<Int64>, _ t: Int64) -> Bool {
        x.lowerBound > t && t &+ 1 != x.lowerBound
    }

    public mutating func formUnion(_ other: ServedRanges) {
        for r in other.ranges { insert(r) }
    }
}
