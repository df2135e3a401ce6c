import Foundation
import Logging
import Synchronization

/// Checks a presented token against the data directory's token store (docs/auth.md).
///
/// The store is re-read when `tokens.json` changes (a `stat` at most once per
/// `refreshInterval`, and at once for a token id it does not know yet), so `strata token
/// create` and `revoke` take effect on a running server: a revoked token stops working
/// within the interval, and the first token created ends the open mode.
public final class Authenticator: Sendable {
    public enum Outcome: Sendable, Equatable {
        case granted(Principal)
        /// No token presented, and the server requires one (HTTP 401).
        case missing
        /// A token was presented but is unknown, revoked or expired (HTTP 401). `reason`
        /// never contains the token.
        case invalid(reason: String)
    }

    private enum Source: Sendable {
        case fixed(isOpen: Bool)
        case staticTokens([String: Principal])
        /// `allowOpen`: whether an empty store means open (loopback, or `--insecure`).
        case store(TokenStore, allowOpen: Bool)
    }

    /// What the store held when last read.
    private struct Loaded: Sendable {
        var stamp: TokenFile.Stamp?
        var checkedAt: ContinuousClock.Instant
        var records: [String: (record: TokenRecord, principal: Principal)] = [:]
        var isEmpty = true
        /// Set when the file could not be read: every token is refused until it can be.
        var failure: String?
    }

    /// 1 s: docs/auth.md promises that a revoked token stops working within about a second;
    /// a `stat` that often costs nothing measurable.
    public static let defaultRefreshInterval: Duration = .seconds(1)

    private let source: Source
    private let refreshInterval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let loaded: Mutex<Loaded>

    public convenience init(isOpen: Bool) {
        self.init(source: .fixed(isOpen: isOpen))
    }

    public static let open = Authenticator(isOpen: true)

    /// A fixed set of tokens (secret → principal), for tests; never open.
    public convenience init(staticTokens: [String: Principal]) {
        self.init(source: .staticTokens(staticTokens))
    }

    /// Over `store`, read now (a file that cannot be read is an error here, at startup).
    /// `allowOpen`: grant everything while the store holds no token at all.
    public init(
        store: TokenStore, allowOpen: Bool, refreshInterval: Duration = Authenticator.defaultRefreshInterval,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "strata.auth")
    ) throws {
        let stamp = store.stamp()
        let records = try store.load()
        self.source = .store(store, allowOpen: allowOpen)
        self.refreshInterval = refreshInterval
        self.now = now
        self.logger = logger
        var state = Loaded(stamp: stamp, checkedAt: .now)
        Self.apply(records, to: &state)
        self.loaded = Mutex(state)
    }

    private init(source: Source) {
        self.source = source
        self.refreshInterval = Self.defaultRefreshInterval
        self.now = { Date() }
        self.logger = Logger(label: "strata.auth")
        self.loaded = Mutex(Loaded(checkedAt: .now))
    }

    /// True when no token is required (every request gets `Principal.open`): a store that
    /// allows it and holds no token, revoked and expired ones included.
    public var isOpen: Bool {
        switch source {
        case .fixed(let isOpen): return isOpen
        case .staticTokens: return false
        case .store(let store, let allowOpen):
            guard allowOpen else { return false }
            return loaded.withLock { state in
                refresh(&state, store: store, force: false)
                return state.isEmpty && state.failure == nil
            }
        }
    }

    /// `token` is the secret as presented (without `Bearer `/`Token ` or `bearer.`), nil if
    /// none was presented.
    public func authenticate(token: String?) -> Outcome {
        switch source {
        case .fixed(let isOpen):
            if isOpen { return .granted(.open) }
            return token == nil ? .missing : .invalid(reason: "unknown token")
        case .staticTokens(let tokens):
            guard let token else { return .missing }
            return tokens[token].map { .granted($0) } ?? .invalid(reason: "unknown token")
        case .store(let store, let allowOpen):
            return loaded.withLock { state in
                // A token shown to an open server may be its first: look before granting open.
                refresh(&state, store: store, force: token != nil && state.isEmpty)
                if allowOpen, state.isEmpty, state.failure == nil { return .granted(.open) }
                guard let token else { return .missing }
                return check(token, in: &state, store: store)
            }
        }
    }

    /// Whether a principal granted earlier still holds: its token is neither revoked nor
    /// expired, or, for `Principal.open`, the server is still open. For long-lived
    /// connections (the live hub), which authenticate once.
    public func isStillValid(_ principal: Principal) -> Bool {
        guard case .store(let store, _) = source else { return true }
        guard let id = principal.tokenID else { return isOpen }
        return loaded.withLock { state in
            refresh(&state, store: store, force: false)
            guard state.failure == nil, let entry = state.records[id] else { return false }
            return entry.record.status(at: now()) == .active
        }
    }

    private func check(_ token: String, in state: inout Loaded, store: TokenStore) -> Outcome {
        if let failure = state.failure { return .invalid(reason: "the token store cannot be read: \(failure)") }
        guard let id = TokenSecret.id(of: token) else {
            return .invalid(reason: "malformed token (strata tokens look like strata_<id>_<secret>)")
        }
        if state.records[id] == nil { refresh(&state, store: store, force: true) }
        guard let entry = state.records[id], TokenSecret.constantTimeEquals(entry.record.hash, TokenSecret.hash(token))
        else { return .invalid(reason: "unknown token \(id)") }
        switch entry.record.status(at: now()) {
        case .active: return .granted(entry.principal)
        case .revoked: return .invalid(reason: "token \(id) was revoked")
        case .expired: return .invalid(reason: "token \(id) has expired")
        }
    }

    /// Re-reads the store if its file changed; with `force`, whatever the interval says.
    private func refresh(_ state: inout Loaded, store: TokenStore, force: Bool) {
        let instant = ContinuousClock.now
        guard force || instant - state.checkedAt >= refreshInterval else { return }
        state.checkedAt = instant
        let stamp = store.stamp()
        // A damaged file is read again once it changes, not every interval (one error log each).
        guard stamp != state.stamp else { return }
        state.stamp = stamp
        do {
            let records = try store.load()
            Self.apply(records, to: &state)
            let at = now()
            logger.info("token file reloaded", metadata: [
                "tokens": .stringConvertible(records.count),
                "active": .stringConvertible(records.filter { $0.status(at: at) == .active }.count),
            ])
        } catch {
            // Fail closed: a damaged file must not reopen the server nor keep revoked tokens.
            state.records = [:]
            state.isEmpty = false
            state.failure = "\(error)"
            logger.error("token file unreadable: refusing every token until it is fixed",
                         metadata: ["error": .string("\(error)")])
        }
    }

    private static func apply(_ records: [TokenRecord], to state: inout Loaded) {
        state.records = Dictionary(records.map { ($0.id, ($0, $0.principal)) }, uniquingKeysWith: { first, _ in first })
        state.isEmpty = records.isEmpty
        state.failure = nil
    }
}
