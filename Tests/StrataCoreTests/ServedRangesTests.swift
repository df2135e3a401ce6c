@testable import StrataCore
import Testing

/// `ServedRanges.insert` against a model that keeps every covered point.
struct ServedRangesTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func insertMatchesAPointModel(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var ranges = ServedRanges()
        var covered = Set<Int64>()
        for _ in 0..<300 {
            let lo = Int64.random(in: 0..<200, using: &rng)
            let r = lo...(lo + Int64.random(in: 0..<6, using: &rng))
            ranges.insert(r)
            covered.formUnion(r)
        }
        // Disjoint, ascending, never touching, and covering exactly the points inserted.
        for (a, b) in zip(ranges.ranges, ranges.ranges.dropFirst()) { #expect(a.upperBound + 1 < b.lowerBound) }
        #expect(Set(ranges.ranges.flatMap { Array($0) }) == covered)
    }

    @Test func theExtremesDoNotOverflow() {
        var ranges = ServedRanges()
        ranges.insert(Int64.max - 1...Int64.max)
        ranges.insert(Int64.min...Int64.min + 1)
        ranges.insert(Int64.min + 2...0)
        #expect(ranges.ranges == [Int64.min...0, Int64.max - 1...Int64.max])
    }
}
