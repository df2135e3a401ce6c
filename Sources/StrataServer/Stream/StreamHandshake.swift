import HTTPTypes

/// The checks made on an upgrade request to `/v1/stream` before it is accepted
/// (docs/http-api.md, "Live stream"). Pure: no socket, no logging.
enum StreamHandshake {
    static let path = "/v1/stream"
    /// The one subprotocol Strata speaks, and the only one it ever echoes.
    static let subprotocol = "strata.v1"
    /// A browser cannot set headers, so its token rides as an offered subprotocol.
    static let bearerPrefix = "bearer."

    enum Decision: Equatable {
        /// `subprotocol` is the one to echo: `strata.v1`, or a bare token the client offered alone.
        case accept(Principal, subprotocol: String)
        case refuse(StreamRefusal)
    }

    static func decide(_ fields: HTTPFields, authenticator: Authenticator) -> Decision {
        let offered = offeredProtocols(fields)
        if offered.contains(subprotocol) {
            return authorize(token(offered: offered, fields: fields), echo: subprotocol, authenticator: authenticator)
        }
        // The seed system's browsers ran `new WebSocket(url, token)`: the token is the only
        // subprotocol, and the connect handler echoed it, since a browser fails a handshake
        // whose answer names none of the protocols it offered (docs/migrating-from-aws.md).
        if offered.count == 1, let bare = offered.first, !bare.lowercased().hasPrefix(bearerPrefix) {
            return authorize(bare, echo: bare, authenticator: authenticator)
        }
        return .refuse(.init(status: .badRequest, message:
            "the WebSocket subprotocol \(subprotocol) must be offered (Sec-WebSocket-Protocol: \(subprotocol)), "
                + "or a token as the only subprotocol"))
    }

    private static func authorize(_ token: String?, echo: String, authenticator: Authenticator) -> Decision {
        switch authenticator.authenticate(token: token) {
        case .missing:
            return .refuse(.init(status: .unauthorized, message:
                "a token is required: offer the subprotocol bearer.<token> or send Authorization: Bearer <token>"))
        case .invalid(let reason):
            return .refuse(.init(status: .unauthorized, message: "invalid token: \(reason)"))
        case .granted(let principal):
            guard principal.allows(.read) else {
                return .refuse(.init(status: .forbidden, message: "this token lacks the read scope that /v1/stream needs"))
            }
            return .accept(principal, subprotocol: echo)
        }
    }

    /// Every `Sec-WebSocket-Protocol` value, split on commas and trimmed: browsers send the
    /// offered list as one comma-joined header, other clients one header per protocol.
    static func offeredProtocols(_ fields: HTTPFields) -> [String] {
        fields[values: .secWebSocketProtocol].flatMap { value in
            value.split(separator: ",").map(trimmed).filter { !$0.isEmpty }
        }
    }

    /// The token of the first `bearer.<token>` protocol offered, else of an
    /// `Authorization: Bearer <token>` (or InfluxDB's `Token <token>`) header; nil if none.
    static func token(offered: [String], fields: HTTPFields) -> String? {
        if let entry = offered.first(where: { $0.lowercased().hasPrefix(bearerPrefix) }) {
            return String(entry.dropFirst(bearerPrefix.count))
        }
        guard let authorization = fields[.authorization] else { return nil }
        for scheme in ["bearer ", "token "] where authorization.lowercased().hasPrefix(scheme) {
            return trimmed(authorization.dropFirst(scheme.count))
        }
        // An Authorization header with another scheme is a credential we do not take:
        // refuse it as invalid rather than treat the request as anonymous.
        return ""
    }

    private static func trimmed(_ s: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}
