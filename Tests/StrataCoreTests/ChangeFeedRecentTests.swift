@testable import StrataCore
import Testing

@Suite("Change feed recent batches")
struct ChangeFeedRecentTests {
    /// Sequences 1...12 with 4, 7 and 8 missing, as deletes leave them.
    static func feed() -> ChangeFeed {
        let feed = ChangeFeed(lastSequence: 0)
        for sequence: UInt64 in [1, 2, 3, 5, 6, 9, 10, 11, 12] {
            feed.publish(CommittedBatch(sequence: sequence, database: "db", series: []))
        }
        return feed
    }

    @Test(arguments: [
        (after: UInt64(0), limit: 100, expected: [UInt64(1), 2, 3, 5, 6, 9, 10, 11, 12]),
        (after: 3, limit: 100, expected: [5, 6, 9, 10, 11, 12]),
        (after: 4, limit: 100, expected: [5, 6, 9, 10, 11, 12]),
        (after: 7, limit: 2, expected: [9, 10]),
        (after: 8, limit: 100, expected: [9, 10, 11, 12]),
        (after: 12, limit: 100, expected: []),
        (after: 20, limit: 100, expected: []),
    ])
    func batchesAfterASequenceInOrder(after: UInt64, limit: Int, expected: [UInt64]) {
        #expect(Self.feed().recent(after: after, limit: limit)?.map(\.sequence) == expected)
    }

    @Test func batchesOlderThanMemoryHoldsAreNil() {
        let feed = ChangeFeed(lastSequence: 10)
        for sequence: UInt64 in 11...13 {
            feed.publish(CommittedBatch(sequence: sequence, database: "db", series: []))
        }
        #expect(feed.recent(after: 9, limit: 100) == nil)
        #expect(feed.recent(after: 10, limit: 100)?.map(\.sequence) == [11, 12, 13])
    }

    /// Large batches are held up to `byteCapacity`, older ones left to the WAL; the newest
    /// stays whatever its size.
    @Test func memoryHoldsBatchesUpToItsByteCapacity() {
        let feed = ChangeFeed(lastSequence: 0)
        var rows = SeriesRows(key: SeriesKey(measurement: "m", tags: []))
        rows.timestamps = Array(0..<200_000)
        var column = ColumnData(type: .integer)
        for i in 0..<200_000 { column.append(.integer(Int64(i))) }
        rows.columns["v"] = column
        let batch = CommittedBatch(sequence: 0, database: "db", series: [rows])
        let size = ChangeFeed.bytes(of: batch)
        #expect(size > 3_000_000)
        for sequence: UInt64 in 1...100 {
            var b = batch
            b.sequence = sequence
            feed.publish(b)
        }
        let held = ChangeFeed.byteCapacity / size
        #expect(feed.heldBytes <= ChangeFeed.byteCapacity)
        #expect(feed.recent(after: UInt64(100 - held), limit: 1_000)?.count == held)
        #expect(feed.recent(after: UInt64(100 - held - 1), limit: 1_000) == nil, "older ones come from the WAL")

        let huge = ChangeFeed(lastSequence: 0)
        var big = batch
        for _ in 0..<5 { big.series += big.series }
        big.sequence = 1
        huge.publish(big)
        #expect(huge.recent(after: 0, limit: 10)?.count == 1)
    }
}
