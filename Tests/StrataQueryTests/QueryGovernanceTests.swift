import StrataCore
import StrataTestSupport
import Synchronization
import Testing
@testable import StrataQuery

/// Limits, stops and the query manager (docs/limits.md): limits end a statement with
/// InfluxDB's error; kill, timeout and a client that goes away stop a query at its next
/// check; the manager bounds and queues. Observed through results and counters, not timing.
@Suite struct QueryGovernanceTests {
    static func run(_ q: String, limits: QueryLimits, flushed: Bool = false) async throws -> String {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: flushed)
        let task = QueryTask(id: 1, text: q, database: "test", limits: limits)
        let results = try await QueryExecutor(engine: engine, principal: .unrestricted("test"), task: task)
            .execute(q, database: "test", now: ExecutorFixture.t0 + 100_000_000_000)
        try await engine.close()
        return results.map(ExecutorFixture.render).joined(separator: "\n;\n")
    }

    @Test(arguments: [
        ("SELECT value FROM cpu", QueryLimits(maxSelectSeries: 1), "error: max-select-series limit exceeded: (2/1)"),
        ("SELECT value FROM cpu", QueryLimits(maxSelectPoint: 3), "error: max-select-point limit exceeed: (7/3)"),
        ("SELECT count(value) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:01:20Z' GROUP BY time(10s), host",
         QueryLimits(maxSelectBuckets: 10), "error: max-select-buckets limit exceeded: (16/10)"),
        ("SELECT count(value) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:01:20Z' GROUP BY time(10s), host fill(none)",
         QueryLimits(maxSelectBuckets: 5), "error: max-select-buckets limit exceeded: (7/5)"),
        ("SELECT value FROM cpu", QueryLimits(timeout: .zero), "error: query-timeout limit exceeded"),
    ])
    func limitsEndTheStatementWithInfluxDBsError(_ q: String, _ limits: QueryLimits, _ expected: String) async throws {
        let answer = try await Self.run(q, limits: limits)
        #expect(answer == expected)
    }

    @Test func limitsCountPerStatementAndLetSmallQueriesThrough() async throws {
        let text = try await Self.run("SELECT value FROM cpu WHERE host = 'a'; SELECT value FROM cpu WHERE host = 'b'",
                                      limits: QueryLimits(maxSelectPoint: 4, maxSelectSeries: 1))
        #expect(!text.contains("error"), "\(text)")
    }

    @Test func aStoppedQueryRunsNoFurtherStatement() async throws {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: true)
        let task = QueryTask(id: 7, text: "", database: "test", limits: .unlimited)
        task.stop(QueryErrors.killed)
        let results = try await QueryExecutor(engine: engine, principal: .unrestricted("test"), task: task)
            .execute("SELECT value FROM cpu; SHOW MEASUREMENTS", database: "test")
        #expect(results.map(\.error) == ["query interrupted", "query interrupted"])
        try await engine.close()
    }

    @Test func aScanAsksItsStopBetweenSeries() async throws {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: true)
        var statistics = ScanStatistics()
        #expect(throws: QueryError.self) {
            _ = try engine.scanChunks(database: "test", measurement: "cpu", range: Int64.min...Int64.max,
                                      statistics: &statistics, stop: ScanStop { QueryErrors.killed })
        }
        try await engine.close()
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        #expect(try await StrataTestSupport.eventually(condition))
    }

    /// A query body that runs until it is stopped, as a long scan does.
    static func spin(_ task: QueryTask) async throws -> Int {
        while true {
            try task.check()
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func killStopsARunningQueryAndIsCounted() async throws {
        let manager = QueryManager(limits: .unlimited)
        let running = Task { try await manager.run("SELECT spin", database: "d", Self.spin) }
        try await Self.eventually { manager.running.count == 1 }
        let id = try #require(manager.running.first?.id)
        try manager.kill(id)
        await #expect(throws: QueryErrors.killed) { try await running.value }
        #expect(manager.counters.killed.load(ordering: .relaxed) == 1)
        #expect(manager.running.isEmpty)
        #expect(throws: QueryError("no such query id: \(id)")) { try manager.kill(id) }
    }

    @Test func aTimeoutStopsARunningQueryAndIsCounted() async throws {
        let manager = QueryManager(limits: QueryLimits(timeout: .milliseconds(50)))
        await #expect(throws: QueryErrors.timeout) { try await manager.run("SELECT spin", database: "d", Self.spin) }
        #expect(manager.counters.timedOut.load(ordering: .relaxed) == 1)
        #expect(manager.counters.refusedByLimit["query-timeout"] == 1)
    }

    @Test func aCancelledRequestStopsItsQuery() async throws {
        let manager = QueryManager(limits: .unlimited)
        let running = Task { try await manager.run("SELECT spin", database: "d", Self.spin) }
        try await Self.eventually { manager.running.count == 1 }
        running.cancel()
        await #expect(throws: QueryErrors.clientGone) { try await running.value }
        #expect(manager.counters.aborted.load(ordering: .relaxed) == 1)
    }

    @Test func concurrencyIsBoundedAndQueuedAndTheQueueIsBounded() async throws {
        let manager = QueryManager(limits: QueryLimits(maxConcurrentQueries: 1, maxQueuedQueries: 1), threads: 1)
        let first = Task { try await manager.run("first", database: nil, Self.spin) }
        try await Self.eventually { manager.running.count == 1 }
        let second = Task { try await manager.run("second", database: nil) { _ in 2 } }
        try await Self.eventually { manager.queued == 1 }
        await #expect(throws: QueryError("max-concurrent-queries limit exceeded(2, 1)")) {
            try await manager.run("third", database: nil) { _ in 3 }
        }
        #expect(manager.counters.refusedByLimit["max-concurrent-queries"] == 1)
        #expect(manager.running.map(\.text) == ["first"])
        try manager.kill(try #require(manager.running.first?.id))
        _ = await first.result
        #expect(try await second.value == 2)
        #expect(manager.queued == 0 && manager.running.isEmpty)
    }

    @Test func showQueriesListsRunningQueriesAndKillQueryNeedsAKnownID() async throws {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: false)
        let manager = QueryManager(limits: .unlimited)
        let rows = try await manager.run("SHOW QUERIES", database: "test") { task in
            try await QueryExecutor(engine: engine, principal: .unrestricted("test"), task: task, manager: manager)
                .execute("SHOW QUERIES; KILL QUERY 999", database: "test")
        }
        #expect(rows[0].series.first?.columns == ["qid", "query", "database", "duration"])
        #expect(rows[0].series.first?.values.map { Array($0.prefix(3)) } == [[.integer(1), .string("SHOW QUERIES"), .string("test")]])
        #expect(rows[1].error == "no such query id: 999")
        try await engine.close()
    }

    @Test(arguments: ["SHOW QUERIES", "KILL QUERY 1"])
    func aDeviceLimitedPrincipalMayNotSeeOrKillOthersQueries(_ q: String) async throws {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: false)
        let limited = QueryPrincipal(name: "token t", privileges: [.read, .write, .admin],
                                     devices: DeviceAllowlist(tag: "host", values: ["a"]))
        await #expect(throws: QueryRejection.self) {
            try await QueryExecutor(engine: engine, principal: limited).execute(q, database: "test")
        }
        try await engine.close()
    }
}
