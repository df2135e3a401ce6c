import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataServer
import StrataTestSupport
import Testing

/// One route and what docs/auth.md says it needs.
struct AuthRoute: CustomTestStringConvertible, Sendable {
    var method: HTTPRequest.Method
    var uri: String
    var body = ""
    var contentType: String?
    /// nil: anyone.
    var needs: Scope?
    /// What the route answers once let through (routes of other helpers may be absent: 404).
    var passed: HTTPResponse.Status

    var testDescription: String { "\(method) \(uri)" }
}

/// How the token is presented.
enum CredentialForm: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case none, bearer, tokenScheme, basic, queryParameter, formBody, wrongToken, unknownScheme

    var testDescription: String { rawValue }

    func apply(_ token: String, to route: AuthRoute) -> (uri: String, headers: HTTPFields, body: String) {
        var headers = HTTPFields()
        if let type = route.contentType { headers[.contentType] = type }
        var uri = route.uri, body = route.body
        let separator = uri.contains("?") ? "&" : "?"
        switch self {
        case .none: break
        case .bearer: headers[.authorization] = "Bearer \(token)"
        case .tokenScheme: headers[.authorization] = "Token \(token)"
        case .basic: headers[.authorization] = "Basic " + Data("telegraf:\(token)".utf8).base64EncodedString()
        case .queryParameter: uri += "\(separator)u=telegraf&p=\(token)"
        case .formBody:
            // Only /query reads a form body; elsewhere the token is simply not presented.
            if route.contentType == nil { break }
            body += "&p=\(token)"
        case .wrongToken: headers[.authorization] = "Bearer not-a-token"
        case .unknownScheme: headers[.authorization] = "Digest \(token)"
        }
        return (uri, headers, body)
    }

    /// Whether the route sees the token at all in this form.
    func presents(on route: AuthRoute) -> Bool {
        switch self {
        case .bearer, .tokenScheme, .basic, .queryParameter: return true
        case .formBody: return route.contentType != nil
        case .none, .wrongToken, .unknownScheme: return false
        }
    }
}

let authRoutes: [AuthRoute] = [
    AuthRoute(method: .get, uri: "/ping", needs: nil, passed: .noContent),
    AuthRoute(method: .head, uri: "/ping", needs: nil, passed: .noContent),
    AuthRoute(method: .get, uri: "/health", needs: nil, passed: .ok),
    AuthRoute(method: .post, uri: "/write?db=robots", body: "m,device_id=robot-1 v=1 1", needs: .write, passed: .noContent),
    AuthRoute(method: .post, uri: "/api/v2/write?bucket=robots", body: "m,device_id=robot-1 v=1 1", needs: .write,
              passed: .noContent),
    AuthRoute(method: .get, uri: "/query?q=SHOW+DATABASES", needs: .read, passed: .ok),
    AuthRoute(method: .post, uri: "/query", body: "q=SHOW+DATABASES", contentType: "application/x-www-form-urlencoded",
              needs: .read, passed: .ok),
    AuthRoute(method: .post, uri: "/flush", needs: .admin, passed: .noContent),
    // Default deny: a path no rule names needs admin, then is not found.
    AuthRoute(method: .get, uri: "/no/such/route", needs: .admin, passed: .notFound),
    AuthRoute(method: .post, uri: "/ping", needs: .admin, passed: .notFound),
]

/// The tokens of TestTokens with the scopes each holds.
let authScopes: [(token: String, scopes: Set<Scope>)] = [
    (TestTokens.read, [.read]), (TestTokens.write, [.write]), (TestTokens.admin, [.admin]),
]

@Suite struct AuthMiddlewareTests {
    @Test(arguments: authRoutes, CredentialForm.allCases)
    func routeCredentialScopeTable(_ route: AuthRoute, _ form: CredentialForm) async throws {
        for (token, scopes) in authScopes {
            let fixture = try ServerFixture()
            let request = form.apply(token, to: route)
            let expected: HTTPResponse.Status
            if let needs = route.needs {
                if !form.presents(on: route) {
                    expected = .unauthorized
                } else {
                    expected = scopes.contains(needs) || scopes.contains(.admin) ? route.passed : .forbidden
                }
            } else {
                expected = route.passed
            }
            try await fixture.test(authenticator: TestTokens.authenticator) { client in
                let response = try await client.execute(
                    uri: request.uri, method: route.method, headers: request.headers, body: ByteBuffer(string: request.body))
                #expect(response.status == expected, "\(route.testDescription) \(form) scopes \(scopes.map(\.rawValue))")
                if expected == .unauthorized {
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="strata""#)
                }
                if expected == .unauthorized || expected == .forbidden {
                    #expect(bodyText(response).hasPrefix(#"{"error":""#) || route.uri.hasPrefix("/api/v2/"))
                    #expect(!bodyText(response).contains(token))
                }
            }
        }
    }

    @Test(arguments: [
        (TestTokens.read, "/write?db=robots", HTTPResponse.Status.forbidden, #"{"error":"token rd000001 lacks the write scope"}"#),
        (TestTokens.write, "/query?q=SHOW+DATABASES", .forbidden,
         #"{"error":"token wr000001 lacks the read scope needed for SHOW DATABASES"}"#),
        ("nope", "/query?q=SHOW+DATABASES", .unauthorized, #"{"error":"authorization failed: unknown token"}"#),
        ("", "/flush", .unauthorized,
         #"{"error":"authorization required: send a token (Authorization: Bearer <token>)"}"#),
    ])
    func refusalsSayWhy(_ token: String, _ uri: String, _ status: HTTPResponse.Status, _ body: String) async throws {
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let headers: HTTPFields = token.isEmpty ? [:] : [.authorization: "Bearer \(token)"]
            let method: HTTPRequest.Method = uri.hasPrefix("/query") ? .get : .post
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: "m v=1 1"))
            #expect(response.status == status)
            #expect(bodyText(response) == body + "\n")
            #expect(response.headers[HTTPField.Name("X-Influxdb-Error")!] != nil)
            #expect(response.headers[HTTPField.Name("X-Influxdb-Version")!] != nil)
        }
    }

    @Test func v2RefusalsCarryInfluxDB2Codes() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: TestTokens.authenticator) { client in
            let response = try await client.execute(
                uri: "/api/v2/write?bucket=robots", method: .post, headers: [.authorization: "Token \(TestTokens.read)"],
                body: ByteBuffer(string: "m v=1 1"))
            #expect(response.status == .forbidden)
            #expect(bodyText(response) == #"{"code":"forbidden","message":"token rd000001 lacks the write scope","error":"token rd000001 lacks the write scope"}"# + "\n")
        }
    }

    @Test func aTokenFileDrivesTheRoutesWhileTheServerRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = TokenStore(directory: dir.path)
        let authenticator = try Authenticator(store: store, allowOpen: true, refreshInterval: .zero)
        let fixture = try ServerFixture()
        try await fixture.test(authenticator: authenticator) { client in
            func flush(_ token: String?) async throws -> HTTPResponse.Status {
                let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
                return try await client.execute(uri: "/flush", method: .post, headers: headers, body: nil).status
            }
            #expect(try await flush(nil) == .noContent, "no tokens on loopback: open")
            let admin = try store.create(scopes: [.admin])
            #expect(try await flush(nil) == .unauthorized, "the first token ends the open mode")
            #expect(try await flush(admin.token) == .noContent)
            let reader = try store.create(scopes: [.read])
            #expect(try await flush(reader.token) == .forbidden)
            try store.revoke(id: admin.record.id)
            let revoked = try await client.execute(
                uri: "/flush", method: .post, headers: [.authorization: "Bearer \(admin.token)"], body: nil)
            #expect(revoked.status == .unauthorized)
            #expect(bodyText(revoked) == #"{"error":"authorization failed: token \#(admin.record.id) was revoked"}"# + "\n")
        }
    }

    @Test func anOpenServerLetsEverythingThrough() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            for (uri, method) in [("/flush", HTTPRequest.Method.post), ("/query?q=SHOW+DATABASES", .get)] {
                let response = try await client.execute(uri: uri, method: method, headers: [:], body: nil)
                #expect(response.status.code < 300, "\(uri)")
            }
        }
    }

    static func basic(_ s: String) -> String { "Basic " + Data(s.utf8).base64EncodedString() }

    static let authorizationCases: [(String, Credentials.Found)] = [
        ("Bearer abc", .token("abc")), ("bearer   abc ", .token("abc")), ("Token abc", .token("abc")),
        (basic("u:abc"), .token("abc")), (basic(":a:b"), .token("a:b")),
        (basic("abc"), .unreadable("malformed Basic credentials")),
        (basic("u:"), .unreadable("Basic credentials without a password (the token)")),
        ("Basic !!!", .unreadable("malformed Basic credentials")),
        ("Bearer", .unreadable("empty bearer credentials")),
        ("Negotiate abc", .unreadable("unsupported Authorization scheme (use Bearer, Token or Basic)")),
    ]

    @Test(arguments: authorizationCases)
    func authorizationHeaderForms(_ value: String, _ found: Credentials.Found) {
        #expect(Credentials.fromAuthorization(value) == found)
    }

    @Test func subprotocolOffersCarryTheToken() {
        #expect(Credentials.fromSubprotocols(["strata.v1, bearer.strata_x"]) == "strata_x")
        #expect(Credentials.fromSubprotocols(["strata.v1", "bearer.abc"]) == "abc")
        #expect(Credentials.fromSubprotocols(["strata.v1", "bearer."]) == nil)
        #expect(Credentials.fromSubprotocols([]) == nil)
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/ping", RoutePolicy.Requirement.anyone), (.head, "/ping", .anyone), (.get, "/health", .anyone),
        (.get, "/", .anyone), (.post, "/write", .scope(.write)), (.post, "/write/", .scope(.write)),
        (.post, "//api/v2/write", .scope(.write)), (.get, "/query", .statements), (.post, "/query", .statements),
        (.get, "/v1/stream", .scope(.read)), (.post, "/flush", .scope(.admin)), (.get, "/metrics", .scope(.admin)),
        (.get, "/v1/connections", .scope(.admin)), (.delete, "/v1/connections/c1", .scope(.admin)),
        (.get, "/v1/connections/c1", .scope(.admin)), (.get, "/Write", .scope(.admin)), (.post, "/", .scope(.admin)),
    ])
    func routePolicy(_ method: HTTPRequest.Method, _ path: String, _ requirement: RoutePolicy.Requirement) {
        #expect(RoutePolicy.requirement(method: method, path: path) == requirement)
    }
}
