/// Checks a presented token. Implemented over the data directory's token store; `open`
/// grants everything (a loopback server with no tokens configured).
///
/// PLACEHOLDER (issue 4 skeleton): the token store replaces the body; the signatures stay.
public final class Authenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case granted(Principal)
        /// No token presented, and the server requires one (HTTP 401).
        case missing
        /// A token was presented but is unknown, revoked or expired (HTTP 401). `reason`
        /// never contains the token.
        case invalid(reason: String)
    }

    /// True when no token is required (every request gets `Principal.open`).
    public let isOpen: Bool

    private let staticTokens: [String: Principal]

    public init(isOpen: Bool) {
        self.isOpen = isOpen
        self.staticTokens = [:]
    }

    public static let open = Authenticator(isOpen: true)

    /// A fixed set of tokens (secret → principal), for tests; never open.
    public init(staticTokens: [String: Principal]) {
        self.isOpen = false
        self.staticTokens = staticTokens
    }

    /// `token` is the secret as presented (without `Bearer `/`Token ` or `bearer.`), nil if
    /// none was presented.
    public func authenticate(token: String?) -> Outcome {
        if isOpen { return .granted(.open) }
        guard let token else { return .missing }
        if let principal = staticTokens[token] { return .granted(principal) }
        return .invalid(reason: "unknown token")
    }
}
