import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataQuery
import StrataServer
import Testing

/// What bounds a `/query` answer (docs/limits.md): `max-row-limit` ends a non-chunked
/// answer with `"partial":true`; `query-memory-bytes` fails a statement with an error naming
/// it; a chunked answer streams whatever its size; a client that goes away stops its query.
@Suite struct QueryAnswerBoundsTests {
    static let data = (1...30).map { "robot,device_id=robot-\($0 % 3) battery=\($0) \($0)" }.joined(separator: "\n")

    func withServer(_ manager: QueryManager, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        var services = ServerServices.defaults(engine: fixture.engine)
        services.queries = manager
        let app = Application(router: StrataServer.makeRouter(
            engine: fixture.engine, configuration: fixture.configuration, services: services))
        try await app.test(.router, body)
        try await fixture.engine.close()
    }

    func get(_ client: any TestClientProtocol, _ q: String, _ extra: String = "") async throws -> String {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await client.execute(uri: "/query?db=robots&q=\(encoded)\(extra)", method: .get)
        #expect(response.status == .ok)
        return String(buffer: response.body)
    }

    @Test func maxRowLimitEndsANonChunkedAnswerAsPartial() async throws {
        let manager = QueryManager(limits: QueryLimits(maxRowLimit: 12))
        try await withServer(manager) { client in
            let body = try await get(client, "SELECT battery FROM robot GROUP BY device_id; SHOW DATABASES")
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
            let results = json["results"] as! [[String: Any]]
            // InfluxDB stops at the limit: the second statement is not answered.
            #expect(results.count == 1)
            #expect(results[0]["partial"] as? Bool == true)
            let series = results[0]["series"] as! [[String: Any]]
            #expect(series.map { ($0["values"] as! [Any]).count } == [10, 2])
            // Chunked answers are not limited.
            let chunked = try await get(client, "SELECT battery FROM robot", "&chunked=true&chunk_size=100")
            #expect(chunked.contains(#"["1970-01-01T00:00:00.00000003Z",30]"#), "\(chunked)")
        }
    }

    @Test func aQueryOverItsMemoryBudgetFailsNamingIt() async throws {
        let manager = QueryManager(limits: QueryLimits(queryMemoryBytes: 1_000))
        try await withServer(manager) { client in
            let body = try await get(client, "SELECT battery FROM robot; SELECT battery FROM robot WHERE time < 3")
            #expect(body.contains(#"{"statement_id":0,"error":"query-memory-bytes limit exceeded: ("#), "\(body)")
            #expect(body.contains(#"{"statement_id":1,"series":"#), "the next, small statement runs: \(body)")
        }
        #expect(manager.counters.refusedByLimit["query-memory-bytes"] == 1)
        #expect(manager.memory.inUse == 0, "everything reserved is given back")
    }

    /// A statement whose answer is built whole (SHOW SERIES) and passes the budget when it is
    /// collected ends with the error too; the query goes on.
    @Test func aWholeAnswerOverTheBudgetFailsItsStatementOnly() async throws {
        let manager = QueryManager(limits: QueryLimits(queryMemoryBytes: 150))
        try await withServer(manager) { client in
            let body = try await get(client, "SHOW SERIES; SHOW MEASUREMENTS")
            #expect(body.hasPrefix(#"{"results":[{"statement_id":0,"error":"query-memory-bytes limit exceeded: ("#), "\(body)")
            #expect(body.contains(#"{"statement_id":1,"series":[{"name":"measurements""#), "\(body)")
        }
    }

    @Test func theServerWideBudgetRefusesWhatOneQueryCouldHold() async throws {
        let manager = QueryManager(limits: QueryLimits(queryMemoryBytes: 1 << 30, queryMaxMemoryBytes: 1_000))
        try await withServer(manager) { client in
            let body = try await get(client, "SELECT battery FROM robot")
            #expect(body.contains("query-max-memory-bytes limit exceeded: running queries hold"), "\(body)")
        }
        #expect(manager.counters.refusedByLimit["query-max-memory-bytes"] == 1)
    }

    /// A chunked answer holds a few chunks, not the answer: its memory budget is far below
    /// what the whole answer would take, and it still arrives whole.
    @Test func aChunkedAnswerStreamsPastTheBudgetOfAWholeOne() async throws {
        let manager = QueryManager(limits: QueryLimits(queryMemoryBytes: 2_000))
        try await withServer(manager) { client in
            let whole = try await get(client, "SELECT battery FROM robot")
            #expect(whole.contains("query-memory-bytes limit exceeded"), "\(whole)")
            let chunked = try await get(client, "SELECT battery FROM robot", "&chunked=true&chunk_size=7")
            let lines = chunked.split(separator: "\n")
            #expect(lines.count == 5, "30 rows in chunks of 7: \(chunked)")
            #expect(!chunked.contains("error"), "\(chunked)")
            #expect(lines.last?.contains(#"["1970-01-01T00:00:00.00000003Z",30]"#) == true)
        }
    }

    @Test func aClientThatGoesAwayStopsItsQuery() async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        let manager = QueryManager(limits: .unlimited)
        let runner = EngineQueryRunner(engine: fixture.engine, manager: manager)
        let statements = try QueryParser.parse("SELECT battery FROM robot GROUP BY device_id")
        let collector = ResultCollector()
        // Gone at its second look: after the query started, before its groups are read.
        let looks = Counter()
        try await runner.execute(statements, text: "q", database: "robots", now: nil, principal: .unrestricted("test"),
                                 tiers: true, into: collector, clientGone: { looks.increment() > 1 })
        #expect(collector.results.map(\.error) == ["query aborted"])
        #expect(manager.counters.aborted.load(ordering: .relaxed) == 1)
        try await fixture.engine.close()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0

    /// The count after this call.
    func increment() -> Int {
        lock.withLock {
            n += 1
            return n
        }
    }
}
