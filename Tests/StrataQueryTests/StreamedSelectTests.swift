import StrataCore
import StrataTestSupport
import Synchronization
import Testing
@testable import StrataQuery

/// A raw SELECT streamed window by window (`QueryExecutor+Stream.swift`) answers exactly as
/// the same statement built whole, on seeded data spread over segments and the head, with
/// overwrites, a delete, several measurements and a series missing a GROUP BY tag; and it
/// does come in many parts, holding a few windows' memory rather than its whole answer.
@Suite(.serialized) struct StreamedSelectTests {
    static let second: Int64 = 1_000_000_000
    static let t0 = ExecutorFixture.t0

    static func engine() async throws -> StorageEngine {
        var options = EngineOptions()
        options.backgroundCompaction = false
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("db")
        var rng = SplitMix64(seed: 0x5eed)
        // Eight writes, all but the last flushed: segments and the head both hold rows.
        for round in 0..<8 {
            var points: [Point] = []
            for (measurement, hosts) in [("cpu", ["a", "b", "c"]), ("disk", ["a"]), ("mem", ["b"])] {
                for host in hosts {
                    // cpu's later writes also overwrite earlier times, so its blocks overlap.
                    for k in 0..<(measurement == "cpu" ? 170 : 150) where rng.next() % 4 != 0 {
                        let step = k < 150 ? round * 150 + k : Int(rng.next() % UInt64(round * 150 + 150))
                        let t = t0 + Int64(step * 7) * second + Int64(rng.next() % 3) * second
                        var tags = [Tag("host", host)]
                        // Host c has no region: it forms the group whose region is "".
                        if host != "c" { tags.append(Tag("region", host == "a" ? "east" : "west")) }
                        var fields = [Field("v", .float(Double(rng.next() % 1_000) / 4))]
                        if rng.next() % 3 == 0 { fields.append(Field("n", .integer(Int64(rng.next() % 50)))) }
                        points.append(Point(measurement: measurement, tags: tags, fields: fields, timestamp: t))
                    }
                }
            }
            _ = try await engine.write(WriteBatch(database: "db", points: points))
            if round < 7 { try await engine.flush() }
        }
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
        _ = try await executor.execute("DELETE FROM cpu WHERE host = 'b' AND time >= '2024-01-01T00:10:00Z' AND time < '2024-01-01T00:12:00Z'", database: "db")
        return engine
    }

    static let statements = [
        "SELECT * FROM cpu",
        "SELECT v FROM cpu GROUP BY host",
        "SELECT v, n FROM cpu GROUP BY region",
        "SELECT * FROM cpu GROUP BY *",
        "SELECT v FROM cpu WHERE host =~ /a|c/ GROUP BY host ORDER BY time DESC",
        "SELECT v FROM cpu GROUP BY host LIMIT 7 OFFSET 30",
        "SELECT v FROM cpu GROUP BY host ORDER BY time DESC LIMIT 5",
        "SELECT v FROM /./ GROUP BY host SLIMIT 2 SOFFSET 1",
        "SELECT v FROM /./ GROUP BY host ORDER BY time DESC SLIMIT 3",
        "SELECT v * 2, n FROM cpu WHERE v > 100 AND time >= '2024-01-01T00:05:00Z' AND time < '2024-01-01T00:30:00Z'",
        "SELECT n FROM cpu WHERE n >= 0 GROUP BY host",
        "SELECT v FROM cpu WHERE time > '2024-01-01T00:20:00Z' GROUP BY host OFFSET 5000",
        "SELECT v FROM nothing",
        // Aggregates: read in windows that start at GROUP BY bucket boundaries.
        "SELECT mean(v) FROM /./ WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' GROUP BY time(10m), host",
        "SELECT sum(v), count(n), min(v), max(n), first(v), last(v), spread(v) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(7m), host",
        "SELECT mean(v) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(10m) fill(0)",
        "SELECT max(v), host FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(1h, 13m)",
        "SELECT percentile(v, 90), median(n), count(distinct(n)) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(20m), region",
        "SELECT top(v, 3) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(30m)",
        "SELECT mean(v) FROM cpu WHERE v > 100 AND time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(5m), * fill(previous) SLIMIT 2",
        "SELECT derivative(mean(v), 1m) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(10m)",
        "SELECT difference(max(v)), moving_average(sum(n), 3), cumulative_sum(count(v)) FROM cpu WHERE time >= '2024-01-01T00:10:00Z' AND time < '2024-01-01T02:00:00Z' GROUP BY time(7m), host",
        "SELECT non_negative_derivative(last(v)) FROM cpu WHERE time >= '2024-01-01T00:03:00Z' AND time < '2024-01-01T02:00:00Z' GROUP BY time(5m) fill(none)",
        "SELECT count(v) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(1m) ORDER BY time DESC LIMIT 5",
        "SELECT sum(v) FROM cpu",
    ]

    @Test(arguments: statements)
    func streamedAnswerEqualsWholeAnswer(_ text: String) async throws {
        let engine = try await Self.engine()
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
        guard case .select(let stmt) = try QueryParser.parse(text)[0] else { Issue.record("not a SELECT"); return }
        var report = ExplainReport()
        let whole = try executor.select(stmt, database: "db", now: Self.t0 + 86_400 * Self.second, report: &report)
        // 50 rows a window: hundreds of windows over this data.
        try await Self.expectWindowedAnswer(text, executor, equals: whole)
        try await engine.close()
    }

    @Test func aLongRawAnswerComesInManyPartsAndHoldsAWindowsMemory() async throws {
        let engine = try await Self.engine()
        let task = QueryTask.ungoverned()
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"), task: task)
        let sink = PartCounter()
        sink.task = task
        // disk: one series, eight flushed segments of ~110 rows each and the head.
        try await QueryExecutor(executor, streamWindowRows: 50).execute(try QueryParser.parse("SELECT * FROM disk"),
                                                                      database: "db", into: sink)
        let rows = sink.collected.series.reduce(0) { $0 + $1.values.count }
        #expect(rows > 800)
        #expect(sink.parts >= 8, "one series in a part per window")
        // Memory held while a part is handed over: a window's rows, not the answer's.
        #expect(sink.maxHeld > 0)
        #expect(sink.maxHeld < QueryMemory.bytes(decodedRows: rows, fields: 2) / 3)
        try await engine.close()
    }

    /// An aggregate read in windows folds each before reading the next: the most it holds
    /// at once is a window's decoded rows, not its range's.
    @Test func aWindowedAggregateHoldsAWindowsRows() async throws {
        let engine = try await Self.engine()
        let text = "SELECT mean(v) FROM disk WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(10m)"
        func peak(windowRows: Int?) async throws -> (Int, [StatementResult]) {
            let task = QueryTask.ungoverned()
            var executor = QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: false, task: task)
            if let windowRows { executor = QueryExecutor(executor, streamWindowRows: windowRows) }
            let results = try await executor.execute(try QueryParser.parse(text), database: "db")
            return (task.memoryPeak, results)
        }
        let (whole, expected) = try await peak(windowRows: nil)
        let (windowed, answer) = try await peak(windowRows: 50)
        #expect(answer == expected)
        #expect(expected.first?.series.first?.values.count == 18)
        #expect(windowed > 0)
        #expect(windowed * 3 < whole, "windowed \(windowed) B, whole \(whole) B")
        try await engine.close()
    }

    /// Compacted blocks inside one bucket count as one row when windows are cut (they are
    /// answered from their headers): the windows then differ, the answers must not.
    @Test(arguments: [
        "SELECT mean(v), count(n) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(1h), host",
        "SELECT sum(v), max(v) FROM /./ WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(7m)",
        "SELECT derivative(mean(v), 1m) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T03:00:00Z' GROUP BY time(10m)",
    ])
    func windowsOverCompactedDataAnswerAsOneRead(_ text: String) async throws {
        let engine = try await Self.engine()
        try await engine.flush()
        _ = try await engine.compact()
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
        guard case .select(let stmt) = try QueryParser.parse(text)[0] else { Issue.record("not a SELECT"); return }
        var report = ExplainReport()
        let whole = try executor.select(stmt, database: "db", now: Self.t0 + 86_400 * Self.second, report: &report)
        #expect(!whole.isEmpty)
        try await Self.expectWindowedAnswer(text, executor, equals: whole)
        try await engine.close()
    }

    /// `text` streamed in windows of 50 rows answers `whole`, the answer of one read.
    static func expectWindowedAnswer(_ text: String, _ executor: QueryExecutor, equals whole: [ResultSeries]) async throws {
        let sink = PartCounter()
        try await QueryExecutor(executor, streamWindowRows: 50)
            .execute(try QueryParser.parse(text), database: "db", now: t0 + 86_400 * second, into: sink)
        #expect(sink.collected.error == nil)
        #expect(sink.collected.series == whole, "\(text)")
    }

    /// GROUP BY buckets take a tier's buckets whole only where their boundaries fall on
    /// the tier's.
    @Test(arguments: [
        (interval: 15 * 60, offset: 0, answers: true),
        (interval: 60, offset: 0, answers: true),
        (interval: 90, offset: 0, answers: false),
        (interval: 30, offset: 0, answers: false),
        (interval: 3_600, offset: 120, answers: true),
        (interval: 3_600, offset: 30, answers: false),
        (interval: 3_600, offset: -60, answers: true),
        (interval: 0, offset: 0, answers: false),
    ])
    func tierBucketsAnswerAlignedGroupByBuckets(interval: Int, offset: Int, answers: Bool) {
        #expect(SelectExecutor.tierAnswers(resolution: 60 * Self.second, interval: Int64(interval) * Self.second,
                                           offset: Int64(offset) * Self.second) == answers)
    }

    @Test func aStreamedScanStopsWhenTheSinkIsDone() async throws {
        let engine = try await Self.engine()
        let sink = PartCounter(closeAfter: 3)
        let executor = QueryExecutor(QueryExecutor(engine: engine, principal: .unrestricted("test")), streamWindowRows: 50)
        try await executor.execute(try QueryParser.parse("SELECT * FROM cpu; SELECT * FROM mem"), database: "db", into: sink)
        #expect(sink.parts == 3)
        #expect(sink.ends == 0, "nothing after the sink said it was done")
        try await engine.close()
    }

    @Test(arguments: [
        // Spans, target rows, range → windows. A target of 640 rows cuts spans in pieces of 10.
        ([RowSpan](), 640, 0...100, [0...100]),
        // Two blocks of half a window each fit one.
        ([RowSpan(minTime: 0, maxTime: 9, rows: 320), RowSpan(minTime: 10, maxTime: 19, rows: 320)], 640, 0...100, [0...100]),
        // Past a window, the cut goes where no block crosses...
        ([RowSpan(minTime: 0, maxTime: 9, rows: 400), RowSpan(minTime: 10, maxTime: 19, rows: 400)], 640, 0...100, [0...9, 10...100]),
        ([RowSpan(minTime: 0, maxTime: 9, rows: 320), RowSpan(minTime: 5, maxTime: 25, rows: 320),
          RowSpan(minTime: 30, maxTime: 39, rows: 320)], 640, 0...50, [0...29, 30...50]),
        // ... up to twice a window: then it cuts inside the block.
        ([RowSpan(minTime: 0, maxTime: 999, rows: 4000)], 640, 0...999, [0...255, 256...511, 512...767, 768...999]),
        // Head rows are sliced for free: cut at each window.
        ([RowSpan(minTime: 0, maxTime: 999, rows: 2560, decoded: false)], 640, 0...999,
         [0...191, 192...383, 384...575, 576...999]),
        // Rows at one time are never split.
        ([RowSpan(minTime: 5, maxTime: 5, rows: 320), RowSpan(minTime: 5, maxTime: 5, rows: 320)], 10, 0...9, [0...9]),
    ])
    func windowsHoldAboutTheTargetRows(_ spans: [RowSpan], _ target: Int, _ range: ClosedRange<Int64>,
                                       _ expected: [ClosedRange<Int64>]) {
        #expect(RowSpan.windows(spans, rows: target, range: range) == expected)
    }
}

/// Collects one statement's streamed parts, counting them and the memory its query holds
/// as each arrives; done with the query after `closeAfter` parts.
final class PartCounter: ResultSink, @unchecked Sendable {
    private let lock = Mutex(())
    private(set) var collected = StatementResult(statementID: 0)
    private(set) var parts = 0
    private(set) var ends = 0
    private(set) var maxHeld = 0
    let closeAfter: Int?
    var task: QueryTask?

    init(closeAfter: Int? = nil) {
        self.closeAfter = closeAfter
    }

    func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        try lock.withLock { _ throws(QueryError) in
            parts += 1
            if let task { maxHeld = max(maxHeld, task.memoryInUse) }
            if let closeAfter, parts > closeAfter { parts -= 1; throw ResultSinks.done }
            if let last = collected.series.last, last.name == part.name, last.tags == part.tags {
                collected.series[collected.series.count - 1].values += part.values
            } else {
                collected.series.append(part)
            }
        }
    }

    func end(_ result: StatementResult) throws(QueryError) {
        lock.withLock { _ in
            ends += 1
            collected.error = result.error
            collected.series += result.series
        }
    }
}
