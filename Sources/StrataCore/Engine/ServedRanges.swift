/// The times one kind of source served in a scan (raw rows, block headers, or a rollup
/// tier), as disjoint ascending ranges, for EXPLAIN ANALYZE. Ranges that touch or overlap
/// are coalesced, so a hundred series served alike give one range.
public struct ServedRanges: Sendable, Equatable {
    public private(set) var ranges: [ClosedRange<Int64>] = []

    public init() {}

    public mutating func insert(_ r: ClosedRange<Int64>) {
        // Usually appended in time order: check the end first.
        if let last = ranges.last, r.lowerBound > last.upperBound, r.lowerBound != last.upperBound &+ 1 || last.upperBound == .max {
            ranges.append(r)
            return
        }
        var lo = r.lowerBound
        var hi = r.upperBound
        var kept: [ClosedRange<Int64>] = []
        kept.reserveCapacity(ranges.count + 1)
        for x in ranges {
            if x.upperBound < lo && x.upperBound &+ 1 != lo || x.lowerBound > hi && hi &+ 1 != x.lowerBound {
                kept.append(x)
            } else {
                lo = min(lo, x.lowerBound)
                hi = max(hi, x.upperBound)
            }
        }
        let at = kept.partitioningIndex { $0.lowerBound > lo }
        kept.insert(lo...hi, at: at)
        ranges = kept
    }

    public mutating func formUnion(_ other: ServedRanges) {
        for r in other.ranges { insert(r) }
    }
}
