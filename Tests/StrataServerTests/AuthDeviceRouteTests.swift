import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataServer
import Testing

/// A device-limited token (TestTokens.devices: robot-1 and robot-2, read and write) against
/// /write and /query, and statement scopes on /query (docs/auth.md).
@Suite struct AuthDeviceRouteTests {
    static let data = """
        robot,device_id=robot-1 battery=81 1
        robot,device_id=robot-3 battery=50,secret=7 1
        robot,site=lab battery=10 1
        arm,device_id=robot-3 torque=5 1
        """

    func post(_ client: any TestClientProtocol, _ uri: String, token: String, body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
    }

    func query(_ client: any TestClientProtocol, _ q: String, token: String) async throws -> TestResponse {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await client.execute(
            uri: "/query?db=robots&q=\(encoded)", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
    }

    @Test func writeRefusesOtherDevicesLineByLine() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await post(client, "/write?db=robots", token: TestTokens.devices, body: """
                robot,device_id=robot-1 battery=1 1
                robot,device_id=robot-3 battery=2 2
                robot battery=3 3
                robot,device_id=robot-2 battery=4 4
                """)
            #expect(response.status == .badRequest)
            #expect(bodyText(response) == #"{"error":"partial write: device \"robot-3\" is not allowed for token dv000001 (line 2) dropped=2"}"# + "\n")
        }
        let rows = try fixture.rows("robots", "robot")
        #expect(rows.map(\.0) == [1, 4])
    }

    @Test func writeWithoutTheDeviceTagIsNamed() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await post(client, "/api/v2/write?bucket=robots", token: TestTokens.devices, body: "robot battery=3 3")
            #expect(response.status == .badRequest)
            #expect(bodyText(response).contains(#"missing tag \"device_id\": token dv000001 may only write its devices (line 1) dropped=1"#))
        }
        #expect(try fixture.rows("robots", "robot").isEmpty)
    }

    @Test func anUnlimitedTokenWritesEveryDevice() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await post(client, "/write?db=robots", token: TestTokens.readWrite, body: Self.data)
            #expect(response.status == .noContent)
        }
    }

    @Test(arguments: [
        ("SELECT battery FROM robot", #"[["1970-01-01T00:00:00.000000001Z",81]]"#),
        ("SELECT * FROM robot", #""columns":["time","battery","device_id"]"#),
        ("SELECT count(battery) FROM robot WHERE device_id = 'robot-3'", #"{"statement_id":0}"#),
        ("SHOW SERIES", #"[["robot,device_id=robot-1"]]"#),
        ("SHOW MEASUREMENTS", #"[["robot"]]"#),
        ("SHOW TAG VALUES WITH KEY = device_id", #"[["device_id","robot-1"]]"#),
        ("SHOW TAG KEYS", #"{"name":"robot","columns":["tagKey"],"values":[["device_id"]]}"#),
        ("SHOW FIELD KEYS", #"{"name":"robot","columns":["fieldKey","fieldType"],"values":[["battery","float"]]}"#),
        ("SHOW DATABASES", #"[["robots"]]"#),
        ("SHOW RETENTION POLICIES", #"["autogen","#),
    ])
    func queryOnlySeesAllowedDevices(_ q: String, _ expected: String) async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await query(client, q, token: TestTokens.devices)
            #expect(response.status == .ok)
            let text = bodyText(response)
            #expect(text.contains(expected), "\(text)")
            #expect(!text.contains("robot-3") && !text.contains("lab") && !text.contains("arm") && !text.contains("secret"),
                    "\(text)")
        }
    }

    @Test func deleteIsLimitedToAllowedDevices() async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await query(client, "DELETE FROM robot", token: TestTokens.devices)
            #expect(response.status == .ok)
            #expect(bodyText(response) == #"{"results":[{"statement_id":0}]}"# + "\n")
        }
        let left = try await fixture.engine.scan(database: "robots", measurement: "robot").map(\.key.description)
        #expect(left == ["robot,device_id=robot-3", "robot,site=lab"])
    }

    @Test(arguments: [
        (TestTokens.read, "DELETE FROM robot", HTTPResponse.Status.forbidden,
         "token rd000001 lacks the write scope needed for DELETE"),
        (TestTokens.read, "SELECT battery FROM robot; DROP SERIES FROM robot", .forbidden,
         "token rd000001 lacks the write scope needed for DROP SERIES"),
        (TestTokens.readWrite, "CREATE DATABASE x", .forbidden, "token rw000001 lacks the admin scope needed for CREATE DATABASE"),
        (TestTokens.admin, "CREATE DATABASE x", .ok, nil),
        (TestTokens.readWrite, "DROP SERIES FROM robot WHERE device_id = 'robot-3'", .ok, nil),
        (TestTokens.read, "SELEC nonsense", .badRequest, nil),
        // A write token may delete through /query (docs/auth.md); it still may not read.
        (TestTokens.write, "DELETE FROM robot WHERE device_id = 'robot-3'", .ok, nil),
        (TestTokens.write, "SELECT battery FROM robot", .forbidden, "token wr000001 lacks the read scope needed for SELECT"),
        (TestTokens.devices, "SHOW SHARDS", .forbidden,
         "token dv000001 is limited to some devices; SHOW SHARDS acts on every device"),
        (TestTokens.devices, "ALTER RETENTION POLICY autogen ON robots DURATION 1h", .forbidden,
         "token dv000001 lacks the admin scope needed for ALTER RETENTION POLICY"),
    ] as [(String, String, HTTPResponse.Status, String?)])
    func statementsNeedTheirScope(_ token: String, _ q: String, _ status: HTTPResponse.Status, _ error: String?) async throws {
        let fixture = try ServerFixture()
        try await fixture.write(Self.data)
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await query(client, q, token: token)
            #expect(response.status == status)
            if let error { #expect(bodyText(response) == #"{"error":"\#(error)"}"# + "\n") }
        }
        // A refused text runs none of its statements.
        if status == .forbidden { #expect(try fixture.rows("robots", "robot").count == 3) }
    }

    /// A device-limited token that has admin anyway (a hand-edited tokens.json): admin routes
    /// and admin statements act on every device, so it gets neither.
    @Test(arguments: [
        (HTTPRequest.Method.get, "/v1/connections", "token da000001 is limited to some devices; admin routes act on every device"),
        (.post, "/flush", "token da000001 is limited to some devices; admin routes act on every device"),
        (.get, "/query?q=CREATE+DATABASE+x", "token da000001 is limited to some devices; CREATE DATABASE acts on every device"),
    ])
    func aDeviceLimitedAdminGetsNoAdminRoutesNorStatements(_ method: HTTPRequest.Method, _ uri: String, _ error: String) async throws {
        let token = "device-admin-secret"
        let authenticator = Authenticator(staticTokens: [
            token: Principal(tokenID: "da000001", scopes: [.admin], devices: ["robot-1"]),
        ])
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: authenticator) { client in
            let response = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(response.status == .forbidden)
            #expect(bodyText(response) == #"{"error":"\#(error)"}"# + "\n")
        }
        #expect(fixture.engine.databaseNames() == ["robots"])
    }

    /// Databases where the token's devices have no series do not exist for it: not listed,
    /// and named in errors exactly as a database that does not exist.
    @Test func otherDevicesDatabasesAreHidden() async throws {
        let fixture = try ServerFixture(databases: ["robots", "hidden"])
        try await fixture.write(Self.data)
        try await fixture.write("robot,device_id=robot-3 battery=1 1", db: "hidden")
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let listed = try await query(client, "SHOW DATABASES", token: TestTokens.devices)
            #expect(bodyText(listed).contains(#""values":[["robots"]]"#), "\(bodyText(listed))")
            for q in ["SELECT * FROM hidden.autogen.robot", "SHOW MEASUREMENTS ON hidden", "SHOW RETENTION POLICIES ON hidden"] {
                let hidden = try await query(client, q, token: TestTokens.devices)
                let missing = try await query(client, q.replacingOccurrences(of: "hidden", with: "nowhere"), token: TestTokens.devices)
                #expect(bodyText(hidden) == bodyText(missing).replacingOccurrences(of: "nowhere", with: "hidden"), "\(q)")
                #expect(bodyText(hidden).contains("database not found: hidden"), "\(q)")
            }
        }
    }
}

extension ServerFixture {
    /// Writes line protocol straight to the engine (nanosecond timestamps) in `db`.
    func write(_ lines: String, db: String = "robots") async throws {
        let parsed = LineProtocolParser(precision: .nanoseconds).parse(Array(lines.utf8), defaultTimestamp: 0)
        precondition(parsed.errors.isEmpty, "\(parsed.errors)")
        _ = try await engine.write(WriteBatch(database: db, points: parsed.points))
    }

}
