@testable import StrataCore
import Testing

/// `ServedRun` notes exactly what inserting each range would: adjacent ranges as one, a gap
/// as a new range, nothing lost at the end of the run.
@Suite struct ServedRunTests {
    @Test(arguments: [
        [0...9, 10...19, 20...29],
        [0...9, 11...19, 20...29, 40...49],
        [5...5],
        [0...9, 5...7, 10...12],
        [],
    ] as [[ClosedRange<Int64>]])
    func notesWhatInsertingEachWould(_ ranges: [ClosedRange<Int64>]) {
        var expected = ScanStatistics()
        for r in ranges { expected.served["blocks", default: ServedRanges()].insert(r) }
        var noted = ScanStatistics()
        var run = ServedRun(source: "blocks")
        for r in ranges { run.add(r, to: &noted) }
        run.flush(to: &noted)
        #expect(noted.served == expected.served)
    }

    /// Consecutive header blocks of one series close the gap between them; anything else
    /// in between (rows, tier buckets) keeps ranges apart as inserting would.
    @Test func consecutiveHeadersCloseTheGapBetweenThem() {
        var noted = ScanStatistics()
        var run = ServedRun(source: "blocks")
        run.add(0...9, to: &noted)
        run.add(20...29, to: &noted, closingGap: true)
        run.add(40...49, to: &noted)
        run.add(60...69, to: &noted, closingGap: true)
        run.add(65...70, to: &noted, closingGap: true)  // not after the last: inserted as is
        run.flush(to: &noted)
        #expect(noted.served["blocks"]?.ranges == [0...29, 40...70])
    }
}
