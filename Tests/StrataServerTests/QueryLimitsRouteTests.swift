import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataQuery
import StrataServer
import Testing

/// The query limits through `/query` (docs/limits.md): the statement's result carries
/// InfluxDB's error, the others still run, and SHOW QUERIES / KILL QUERY reach the server's
/// query manager.
@Suite struct QueryLimitsRouteTests {
    static let data = """
        robot,device_id=robot-1 battery=81 1
        robot,device_id=robot-2 battery=60 1
        robot,device_id=robot-2 battery=61 2
        """

    func withServer(_ limits: QueryLimits, manager: QueryManager? = nil,
                    _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        var services = ServerServices.defaults(engine: fixture.engine)
        services.queries = manager ?? QueryManager(limits: limits, threads: 2)
        let app = Application(router: StrataServer.makeRouter(
            engine: fixture.engine, configuration: fixture.configuration, services: services))
        try await app.test(.router, body)
        try await fixture.engine.close()
    }

    func query(_ client: any TestClientProtocol, _ q: String) async throws -> String {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await client.execute(uri: "/query?db=robots&q=\(encoded)", method: .get)
        #expect(response.status == .ok)
        return String(buffer: response.body)
    }

    @Test func aLimitFailsItsStatementAndTheNextStatementStillRuns() async throws {
        let manager = QueryManager(limits: QueryLimits(maxSelectSeries: 1), threads: 2)
        try await withServer(.unlimited, manager: manager) { client in
            let body = try await query(client, "SELECT battery FROM robot; SELECT battery FROM robot WHERE device_id = 'robot-1'")
            #expect(body.hasPrefix(#"{"results":[{"statement_id":0,"error":"max-select-series limit exceeded: (2/1)"},{"statement_id":1,"series":"#),
                    "\(body)")
        }
        #expect(manager.counters.refusedByLimit == ["max-select-series": 1])
    }

    @Test func metricsCountRefusalsAndQueries() async throws {
        let manager = QueryManager(limits: QueryLimits(maxSelectSeries: 1), threads: 2)
        try await withServer(.unlimited, manager: manager) { client in
            _ = try await query(client, "SELECT battery FROM robot")
            _ = try await query(client, "SELECT battery FROM robot WHERE device_id = 'robot-1'")
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains(#"strata_queries_refused_total{limit="max-select-series"} 1"#), "\(text)")
            #expect(text.contains("strata_queries_started_total 2"), "\(text)")
            #expect(text.contains("strata_queries_running 0"), "\(text)")
        }
    }

    @Test func showQueriesAndKillQueryReachTheServersQueries() async throws {
        try await withServer(.unlimited) { client in
            let shown = try await query(client, "SHOW QUERIES")
            #expect(shown.contains(#""columns":["qid","query","database","duration"],"values":[[1,"SHOW QUERIES","robots","#), "\(shown)")
            let killed = try await query(client, "KILL QUERY 42")
            #expect(killed == #"{"results":[{"statement_id":0,"error":"no such query id: 42"}]}"# + "\n")
        }
    }
}
