import HTTPTypes

/// What each route needs (docs/auth.md, "Routes"). Default deny: a path not listed here
/// needs `admin`, so a route added later is never public by accident.
public enum RoutePolicy {
    public enum Requirement: Sendable, Equatable {
        /// Answered to anyone (liveness, and the live page, which asks for a token itself).
        case anyone
        case scope(Scope)
        /// Any valid token (or an open server): the query executor checks each statement
        /// against the token's scopes itself, so a `write` token may DELETE through /query.
        case statements
    }

    public static func requirement(method: HTTPRequest.Method, path: String) -> Requirement {
        switch normalized(path) {
        case "/ping": return method == .get || method == .head ? .anyone : .scope(.admin)
        case "/health": return .anyone
        case "/": return method == .get || method == .head ? .anyone : .scope(.admin)
        case "/write", "/api/v2/write": return .scope(.write)
        case "/query": return .statements
        case "/v1/stream": return method == .get ? .scope(.read) : .scope(.admin)
        default: return .scope(.admin)
        }
    }

    /// Without a trailing slash and repeated slashes, so `/write/` is judged as `/write`.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + parts.joined(separator: "/")
    }
}
