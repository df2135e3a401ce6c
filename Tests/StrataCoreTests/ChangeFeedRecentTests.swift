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
}
