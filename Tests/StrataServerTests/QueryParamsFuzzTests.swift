import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataQuery
import StrataServer
import StrataTestSupport
import Synchronization
import Testing

/// `/query` with hostile `params`, from a token limited to robot-1 and robot-2 (read and
/// write): every request runs exactly its template's one statement, for that token, and
/// nothing of robot-3 is seen or changed (docs/testing.md, "Security tests").
@Suite struct QueryParamsFuzzTests {
    /// Runs statements with the real executor and records what it was given.
    final class RecordingRunner: QueryRunner {
        let inner: EngineQueryRunner
        let calls = Mutex<[(statements: [Statement], principal: QueryPrincipal)]>([])

        init(_ engine: StorageEngine) { inner = EngineQueryRunner(engine: engine) }

        func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool)
            async throws(QueryAuthorizationError) -> [StatementResult]
        {
            calls.withLock { $0.append((statements, principal)) }
            return try await inner.execute(statements, text: text, database: database, now: now, principal: principal,
                                           tiers: tiers)
        }
    }

    static let data = """
        robot,device_id=robot-1,fleet=a battery=81 1
        robot,device_id=robot-2,fleet=b battery=60 1
        robot,device_id=robot-3,fleet=a battery=50,secret=7 1
        robot,device_id=robot-3,fleet=b battery=51,secret=8 2
        """

    static let words = LiveHostileSubscribeTests.hostile + ["robot", "battery", "device_id", "fleet", "robot-1", "a", ".*"]

    /// Query templates, what statement each must run as, and a maker of its parameters.
    struct Template: Sendable {
        var q: String
        var kind: String
        var params: @Sendable (inout SplitMix64) -> [String: Any]
    }

    static func word(_ rng: inout SplitMix64) -> String {
        let w = words.randomElement(using: &rng)!
        return Bool.random(using: &rng) ? w : w + words.randomElement(using: &rng)!
    }

    static let templates: [Template] = [
        Template(q: "SELECT battery FROM robot WHERE device_id = $v", kind: "select") { ["v": word(&$0)] },
        Template(q: "SELECT battery FROM robot WHERE fleet =~ $re OR device_id = $v", kind: "select") {
            ["re": ["regex": word(&$0)], "v": word(&$0)]
        },
        Template(q: "SELECT $f FROM $m WHERE device_id != $v LIMIT $n", kind: "select") {
            ["f": ["identifier": word(&$0)], "m": ["identifier": Bool.random(using: &$0) ? "robot" : word(&$0)],
             "v": word(&$0), "n": Int.random(in: 0...5, using: &$0)]
        },
        Template(q: "SELECT * FROM $re GROUP BY $g", kind: "select") {
            ["re": ["regex": word(&$0)], "g": ["identifier": word(&$0)]]
        },
        Template(q: "SHOW TAG VALUES FROM $m WITH KEY = $k", kind: "showTagValues") {
            ["m": ["identifier": Bool.random(using: &$0) ? "robot" : word(&$0)], "k": ["identifier": word(&$0)]]
        },
        Template(q: "SHOW FIELD KEYS FROM $m", kind: "showFieldKeys") { ["m": ["identifier": word(&$0)]] },
        Template(q: "SHOW SERIES WHERE fleet = $v OR device_id =~ $re", kind: "showSeries") {
            ["v": word(&$0), "re": ["regex": word(&$0)]]
        },
        Template(q: "DELETE FROM robot WHERE device_id = $v OR fleet =~ $re", kind: "delete") {
            ["v": word(&$0), "re": ["regex": word(&$0)]]
        },
    ]

    static func kind(_ statement: Statement) -> String {
        switch statement {
        case .select: "select"
        case .showTagValues: "showTagValues"
        case .showFieldKeys: "showFieldKeys"
        case .showSeries: "showSeries"
        case .delete: "delete"
        default: "\(statement.keyword)"
        }
    }

    @Test(arguments: 0..<4)
    func hostileParamsRunOnlyTheirStatementForTheirDevices(_ seed: Int) async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        let runner = RecordingRunner(fixture.engine)
        var services = ServerServices.defaults(engine: fixture.engine)
        services.authenticator = TestTokens.authenticator
        let app = Application(router: StrataServer.makeRouter(
            engine: fixture.engine, configuration: fixture.configuration, queries: runner, services: services))
        var rng = SplitMix64(seed: 0xF0CC_0000 + UInt64(seed))
        var requests: [(q: String, params: String)] = []
        for _ in 0..<60 {
            let template = Self.templates.randomElement(using: &rng)!
            let params = String(decoding: try JSONSerialization.data(withJSONObject: template.params(&rng)), as: UTF8.self)
            requests.append((template.q, params))
        }
        let sent = requests
        try await app.test(.router) { client in
            for (q, params) in sent {
                let form = "db=robots&q=" + Self.formEncoded(q) + "&params=" + Self.formEncoded(params)
                let response = try await client.execute(
                    uri: "/query", method: .post,
                    headers: [.authorization: "Bearer \(TestTokens.devices)", .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: form))
                let body = String(buffer: response.body)
                #expect(response.status == .ok || response.status == .badRequest, "\(q) \(params): \(body)")
                #expect(!body.contains("\"robot-3\"") && !body.contains("robot-3,") && !body.contains("secret"),
                        "\(q) \(params): \(body)")
            }
        }
        // Every call the runner got: one statement of the template's kind, for the token.
        for call in runner.calls.withLock({ $0 }) {
            #expect(call.statements.count == 1)
            #expect(call.principal.devices == DeviceAllowlist(tag: "device_id", values: ["robot-1", "robot-2"]))
            let kinds = Set(Self.templates.map(\.kind))
            #expect(call.statements.allSatisfy { kinds.contains(Self.kind($0)) }, "\(call.statements)")
        }
        // Most requests parse (a hostile value is a value, not a syntax error), so most reach the executor.
        #expect(runner.calls.withLock { $0.count } >= sent.count * 3 / 4, "\(runner.calls.withLock { $0.count }) of \(sent.count)")
        // robot-3 is untouched whatever the deletes said.
        let left = try await fixture.engine.scan(database: "robots", measurement: "robot")
            .filter { $0.key.tagValue("device_id") == "robot-3" }
        #expect(left.reduce(0) { $0 + $1.timestamps.count } == 2)
        #expect(fixture.engine.databaseNames() == ["robots"])
        try await fixture.engine.close()
    }

    static func formEncoded(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
