import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataQuery
import Synchronization
import Testing
@testable import StrataServer

/// Records the `tiers` each /query asked for.
final class TiersRecordingRunner: QueryRunner {
    let asked = Mutex<[Bool]>([])

    func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool)
        async throws(QueryAuthorizationError) -> [StatementResult]
    {
        asked.withLock { $0.append(tiers) }
        return [StatementResult(statementID: 0)]
    }
}

/// `POST /compact`, `/query?tiers=`, and the compaction and tier figures of /metrics and /health.
@Suite struct CompactionRouteTests {
    @Test func compactAnswersTheReportAsJSON() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/write?db=robots", method: .post,
                                     body: ByteBuffer(string: "robot,device_id=r1 battery=81.5 1\n")) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/flush", method: .post) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/compact", method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let object = try JSONSerialization.jsonObject(with: Data(bodyText(response).utf8)) as? [String: Any]
                #expect(Set(object?.keys.map { $0 } ?? []) == [
                    "partitionsWritten", "segmentsMerged", "rowsWritten", "bytesWritten", "tierFilesWritten",
                    "partitionsExpired", "tierFilesExpired", "rowsDropped", "seconds",
                ])
            }
        }
    }

    @Test func reportJSONKeepsItsKeyOrder() {
        var report = CompactionReport()
        report.partitionsWritten = 2
        report.segmentsMerged = 5
        report.rowsWritten = 100
        report.bytesWritten = 4_096
        report.tierFilesWritten = 4
        report.rowsDropped = 3
        report.seconds = 0.25
        #expect(StatusHandler.reportJSON(report) == #"{"partitionsWritten":2,"segmentsMerged":5,"rowsWritten":100,"bytesWritten":4096,"tierFilesWritten":4,"partitionsExpired":0,"tierFilesExpired":0,"rowsDropped":3,"seconds":0.25}"#)
    }

    @Test(arguments: [(TestTokens.admin, HTTPResponse.Status.ok), (TestTokens.readWrite, .forbidden), (TestTokens.read, .forbidden)])
    func compactNeedsAdmin(_ token: String, _ status: HTTPResponse.Status) async throws {
        #expect(RoutePolicy.requirement(method: .post, path: "/compact") == .scope(.admin))
        try await ServerFixture().test(authenticator: TestTokens.authenticator) { client in
            try await client.execute(uri: "/compact", method: .post, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == status)
            }
        }
    }

    @Test(arguments: [("", true), ("&tiers=on", true), ("&tiers=off", false)])
    func tiersParameterReachesTheRunner(_ parameter: String, _ tiers: Bool) async throws {
        let runner = TiersRecordingRunner()
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), queries: runner))
        try await app.test(.router) { client in
            try await client.execute(uri: "/query?q=SHOW+DATABASES" + parameter, method: .get) { #expect($0.status == .ok) }
        }
        try await engine.close()
        #expect(runner.asked.withLock { $0 } == [tiers])
    }

    @Test func anotherTiersValueIsABadRequest() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/query?q=SHOW+DATABASES&tiers=maybe", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(bodyText(response) == #"{"error":"tiers must be \"on\" or \"off\", got \"maybe\""}"# + "\n")
            }
        }
    }

    @Test func tiersOffReachesTheExecutor() async throws {
        // EXPLAIN is where the executor's setting shows.
        try await ServerFixture().test { client in
            try await client.execute(uri: "/write?db=robots", method: .post,
                                     body: ByteBuffer(string: "robot,device_id=r1 battery=81.5 1\n")) { #expect($0.status == .noContent) }
            let q = "EXPLAIN+SELECT+mean(battery)+FROM+robot"
            try await client.execute(uri: "/query?db=robots&tiers=off&q=" + q, method: .get) { response in
                #expect(bodyText(response).contains("rollup tiers: not used (tiers=off)"))
            }
            try await client.execute(uri: "/query?db=robots&q=" + q, method: .get) { response in
                #expect(!bodyText(response).contains("tiers=off"))
                #expect(bodyText(response).contains("rollup tiers: rollup_1h (1h), rollup_1m (1m) can serve"))
            }
        }
    }

    @Test func metricsAndHealthShowCompactionAndTiers() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        try await Self.withMetricsRouter(engine) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = bodyText(response)
                for line in [
                    "# TYPE strata_compaction_active gauge", "strata_compaction_active 0.0",
                    "# TYPE strata_partitions gauge", "# TYPE strata_tier_files gauge", "# TYPE strata_tier_bytes gauge",
                    "# TYPE strata_compactions_total counter", "# TYPE strata_compaction_bytes_written_total counter",
                ] {
                    #expect(text.contains(line), "missing \(line) in:\n\(text)")
                }
            }
            try await client.execute(uri: "/health", method: .get) { response in
                let text = bodyText(response)
                #expect(text.contains(#""partitions":0,"tierFiles":0,"tierBytes":0,"compacting":false,"compactions":0,"#),
                        "\(text)")
            }
        }
        try await engine.close()
    }
}

extension CompactionRouteTests {
    // Needs the engine's compaction.
    @Test func compactionsAreCountedOnceEach() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        try await Self.withMetricsRouter(engine) { client in
            for t in 1...2 {
                try await client.execute(uri: "/write?db=robots", method: .post,
                                         body: ByteBuffer(string: "robot,device_id=r1 battery=80 \(t)\n")) { _ in }
                try await client.execute(uri: "/flush", method: .post) { _ in }
                try await client.execute(uri: "/compact", method: .post) { #expect($0.status == .ok) }
                // Scraped twice: the second scrape adds nothing.
                try await client.execute(uri: "/metrics", method: .get) { _ in }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = bodyText(response)
                    #expect(text.contains("strata_compactions_total \(t)\n"), "\(text)")
                    #expect(text.contains("strata_partitions 1.0"), "\(text)")
                    #expect(text.contains("strata_tier_files 2.0"), "\(text)")
                }
            }
        }
        try await engine.close()
    }
}

extension CompactionRouteTests {
    /// Routes over `engine` with a Prometheus registry, as `strata serve` wires them.
    static func withMetricsRouter(_ engine: StorageEngine,
                                  _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let metrics = StrataMetrics.prometheus()
        let services = ServerServices(
            authenticator: .open, hub: LiveHub(engine: engine, metrics: metrics, logger: .init(label: "t")), metrics: metrics)
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), services: services))
        try await app.test(.router, body)
    }
}
