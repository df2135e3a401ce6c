import HTTPTypes
import StrataTestSupport
import Testing
@testable import StrataServer

/// The `/v1/stream` handshake: which requests are upgraded, and what a refusal answers.
@Suite(.serialized) struct HandshakeTests {
    static let reader = Principal(tokenID: "t-read", scopes: [.read])
    static let writer = Principal(tokenID: "t-write", scopes: [.write])
    static let tokens = Authenticator(staticTokens: ["secret-read": reader, "secret-write": writer])

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var protocols: String?
        var authorization: String?
        var status: Int
        var error: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no token", protocols: "strata.v1", status: 401, error: "a token is required"),
        Case(name: "bad token", protocols: "strata.v1, bearer.nope", status: 401, error: "invalid token"),
        Case(name: "bad Authorization token", protocols: "strata.v1", authorization: "Bearer nope", status: 401,
             error: "invalid token"),
        Case(name: "write-only token", protocols: "strata.v1, bearer.secret-write", status: 403,
             error: "lacks the read scope"),
        Case(name: "strata.v1 not offered", protocols: "bearer.secret-read", status: 400, error: "strata.v1 must be offered"),
        Case(name: "no subprotocol at all", protocols: nil, authorization: "Bearer secret-read", status: 400,
             error: "strata.v1 must be offered"),
        Case(name: "token in a subprotocol", protocols: "strata.v1, bearer.secret-read", status: 101),
        Case(name: "token first, separate headers", protocols: "bearer.secret-read\r\nSec-WebSocket-Protocol: strata.v1",
             status: 101),
        Case(name: "Authorization: Bearer", protocols: "strata.v1", authorization: "Bearer secret-read", status: 101),
        Case(name: "bare unknown token alone", protocols: "nope", status: 401, error: "invalid token"),
        Case(name: "bare write-only token alone", protocols: "secret-write", status: 403, error: "lacks the read scope"),
        Case(name: "two protocols, neither strata.v1", protocols: "chat, secret-read", status: 400,
             error: "or a token as the only subprotocol"),
    ]

    @Test(arguments: cases)
    func answersOverASocket(_ c: Case) async throws {
        try await StreamTestServer.with(authenticator: Self.tokens, open: FakeEndpoints().opener) { server in
            let (head, body) = try await offPool {
                let socket = try RawSocket(port: server.port)
                try socket.send(upgradeRequest(protocols: c.protocols, authorization: c.authorization))
                let head = try socket.readHead()
                return (head, c.status == 101 ? "" : try socket.readToEnd())
            }
            #expect(head.hasPrefix("HTTP/1.1 \(c.status) "), "\(head)")
            #expect(!head.contains("secret") && !body.contains("secret"), "the token must never come back")
            if c.status == 101 {
                let protocols = head.lowercased().split(separator: "\r\n").filter { $0.hasPrefix("sec-websocket-protocol:") }
                #expect(protocols == ["sec-websocket-protocol: strata.v1"], "\(head)")
            } else {
                #expect(head.lowercased().contains("content-type: application/json"))
                #expect(body.hasPrefix("{\"error\":\""), "\(body)")
                #expect(body.contains(c.error ?? "?"), "\(body)")
                #expect(head.lowercased().contains("content-length: \(body.utf8.count)"))
                #expect(head.lowercased().contains("www-authenticate: bearer") == (c.status == 401))
            }
        }
    }

    /// The seed system's `new WebSocket(url, token)`: the token alone, echoed back as the
    /// selected protocol, since a browser fails a handshake that selects none it offered.
    @Test func aBareTokenOfferedAloneIsAcceptedAndEchoed() async throws {
        try await StreamTestServer.with(authenticator: Self.tokens, open: FakeEndpoints().opener) { server in
            let head = try await offPool {
                let socket = try RawSocket(port: server.port)
                try socket.send(upgradeRequest(protocols: "secret-read"))
                return try socket.readHead()
            }
            #expect(head.hasPrefix("HTTP/1.1 101 "), "\(head)")
            let protocols = head.lowercased().split(separator: "\r\n").filter { $0.hasPrefix("sec-websocket-protocol:") }
            #expect(protocols == ["sec-websocket-protocol: secret-read"], "\(head)")
        }
    }

    @Test func anUpgradeElsewhereIsRefusedWith404() async throws {
        try await StreamTestServer.with(open: FakeEndpoints().opener) { server in
            let (head, body) = try await offPool {
                let socket = try RawSocket(port: server.port)
                try socket.send(upgradeRequest(path: "/query", protocols: "strata.v1"))
                return (try socket.readHead(), try socket.readToEnd())
            }
            #expect(head.hasPrefix("HTTP/1.1 404 "), "\(head)")
            #expect(body.contains("/v1/stream"), "\(body)")
        }
    }

    @Test func anOpenServerNeedsNoToken() async throws {
        try await StreamTestServer.with(open: FakeEndpoints().opener) { server in
            let head = try await offPool {
                let socket = try RawSocket(port: server.port)
                try socket.send(upgradeRequest(protocols: "strata.v1"))
                return try socket.readHead()
            }
            #expect(head.hasPrefix("HTTP/1.1 101 "), "\(head)")
        }
    }

    @Test func plainHTTPStillWorksBesideUpgrades() async throws {
        try await StreamTestServer.with(open: FakeEndpoints().opener) { server in
            let response = try await offPool {
                let socket = try RawSocket(port: server.port)
                try socket.send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return try socket.readToEnd()
            }
            #expect(response.hasPrefix("HTTP/1.1 204 "), "\(response)")
        }
    }

    // The pure decision, without sockets.

    @Test(arguments: [
        ("strata.v1", ["strata.v1"]),
        ("strata.v1,bearer.abc", ["strata.v1", "bearer.abc"]),
        (" strata.v1 ,  bearer.abc ,", ["strata.v1", "bearer.abc"]),
        ("", []),
    ])
    func offeredProtocolsAreSplitAndTrimmed(_ header: String, _ expected: [String]) {
        #expect(StreamHandshake.offeredProtocols([.secWebSocketProtocol: header]) == expected)
    }

    @Test func theSubprotocolTokenWinsOverTheHeader() {
        let fields: HTTPFields = [.secWebSocketProtocol: "strata.v1, bearer.secret-read", .authorization: "Bearer secret-write"]
        #expect(StreamHandshake.decide(fields, authenticator: Self.tokens) == .accept(Self.reader, subprotocol: "strata.v1"))
    }

    @Test func anAuthorizationOfAnotherSchemeIsInvalidNotAnonymous() {
        let fields: HTTPFields = [.secWebSocketProtocol: "strata.v1", .authorization: "Basic dXNlcjpwYXNz"]
        guard case .refuse(let refusal) = StreamHandshake.decide(fields, authenticator: Self.tokens) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.status == .unauthorized)
    }

    @Test func aRefusalIsACompleteResponse() {
        let bytes = StreamRefusal(status: .forbidden, message: "say \"no\"").responseBytes()
        let text = String(buffer: bytes)
        #expect(text == "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 23\r\nConnection: close\r\n\r\n{\"error\":\"say \\\"no\\\"\"}\n")
    }
}
