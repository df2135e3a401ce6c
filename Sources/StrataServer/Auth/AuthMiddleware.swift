import Hummingbird
import Logging
import NIOCore

/// Sets `context.principal` from the request's credentials and refuses a route the
/// principal may not use: 401 without valid credentials, 403 without the scope
/// (docs/auth.md). Logs refusals with the token id at most, never a header or a token.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let authenticator: Authenticator
    /// The most read from a /query form body to find a `p` parameter: the route's own
    /// limit on a query, since the body is then kept for the handler.
    var maxFormBytes: Int = StrataServerConfiguration.Limits().maxQueryBytes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let requirement = RoutePolicy.requirement(method: request.method, path: request.uri.path)
        var found = Credentials.find(headers: request.headers, query: request.uri.query)
        if found == .absent, Self.isQueryForm(request), !authenticator.isOpen {
            found = try await formCredentials(&request)
        }
        let outcome: Authenticator.Outcome
        switch found {
        case .absent: outcome = authenticator.authenticate(token: nil)
        case .token(let token): outcome = authenticator.authenticate(token: token)
        case .unreadable(let reason): outcome = .invalid(reason: reason)
        }
        if case .granted(let principal) = outcome { context.principal = principal }
        let scope: Scope?
        switch requirement {
        case .anyone: return try await next(request, context)
        case .statements: scope = nil
        case .scope(let needed): scope = needed
        }
        switch outcome {
        case .missing:
            return refuse(.unauthorized, "authorization required: send a token (Authorization: Bearer <token>)",
                          request: request, context: context)
        case .invalid(let reason):
            return refuse(.unauthorized, "authorization failed: \(reason)", request: request, context: context)
        case .granted(let principal) where scope.map(principal.allows) == false:
            return refuse(.forbidden, "\(Self.name(principal)) lacks the \(scope!.rawValue) scope",
                          request: request, context: context)
        case .granted(let principal) where scope == .admin && principal.devices != nil:
            // Admin routes (connections, metrics, flush) act on or show every device.
            return refuse(.forbidden, "\(Self.name(principal)) is limited to some devices; admin routes act on every device",
                          request: request, context: context)
        case .granted:
            return try await next(request, context)
        }
    }

    /// InfluxDB 1 clients may POST `p` with the query in a form body. Reading the body here
    /// keeps it in the request for the handler.
    private func formCredentials(_ request: inout Request) async throws -> Credentials.Found {
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxFormBytes)
        } catch is NIOTooManyBytesError {
            throw InfluxHTTPError(.contentTooLarge, "request entity too large: body exceeds the limit of \(maxFormBytes) bytes")
        }
        guard let password = FormParameters(body.readableBytesView)["p"], !password.isEmpty else { return .absent }
        return .token(password)
    }

    static func isQueryForm(_ request: Request) -> Bool {
        guard request.method == .post, RoutePolicy.normalized(request.uri.path) == "/query" else { return false }
        return request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    static func name(_ principal: Principal) -> String {
        principal.tokenID.map { "token \($0)" } ?? "this token"
    }

    /// InfluxDB's error shape (`{"error":…}` and `X-Influxdb-Error`; InfluxDB 2's `code` and
    /// `message` too on /api/v2), plus `WWW-Authenticate` on a 401 as RFC 9110 asks.
    private func refuse(_ status: HTTPResponse.Status, _ message: String, request: Request, context: Context) -> Response {
        context.logger.info("request refused", metadata: [
            "status": .stringConvertible(status.code), "method": .string(request.method.rawValue),
            "path": .string(request.uri.path), "error": .string(message),
        ])
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.influxError] = InfluxHTTPError.headerSafe(message)
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="strata""# }
        var members = [("error", JSONText.string(message))]
        if request.uri.path.hasPrefix("/api/v2/") {
            let code = status == .unauthorized ? "unauthorized" : "forbidden"
            headers[.platformErrorCode] = code
            members = [("code", JSONText.string(code)), ("message", JSONText.string(message))] + members
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONText.object(members) + "\n")))
    }
}
