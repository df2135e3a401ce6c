import NIOCore
import Synchronization

/// Open `/v1/stream` connections per token, for `StreamSettings.maxConnectionsPerToken`
/// (docs/limits-connections.md). A slot is taken when the upgrade is accepted and given
/// back when the TCP connection closes, however it ends.
final class TokenConnections: Sendable {
    /// 0: no limit.
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for `token` until `channel` closes; false when the token has `limit` open.
    func reserve(_ token: String, until channel: any Channel) -> Bool {
        guard limit > 0 else { return true }
        let taken = counts.withLock { counts -> Bool in
            let open = counts[token, default: 0]
            guard open < limit else { return false }
            counts[token] = open + 1
            return true
        }
        if taken { channel.closeFuture.whenComplete { _ in self.release(token) } }
        return taken
    }

    func count(_ token: String) -> Int { counts.withLock { $0[token, default: 0] } }

    private func release(_ token: String) {
        counts.withLock { counts in
            let open = counts[token, default: 0]
            counts[token] = open > 1 ? open - 1 : nil
        }
    }
}
