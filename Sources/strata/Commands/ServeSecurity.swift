import Logging
import StrataServer

/// Decides whether `strata serve` may start and with which authenticator (docs/auth.md,
/// "Open and insecure"): with tokens in the data directory, every route needs one; without,
/// a loopback server runs open, any other address is refused unless `insecure`.
enum ServeSecurity {
    static func makeAuthenticator(dataDirectory: String, host: String, insecure: Bool, logger: Logger) throws -> Authenticator {
        let store = TokenStore(directory: dataDirectory)
        let loopback = isLoopback(host)
        // A server allowed to run open reopens if tokens.json disappears; any other fails closed.
        let authenticator = try Authenticator(store: store, allowOpen: loopback || insecure, logger: logger)
        let records = try store.load()
        guard records.isEmpty else {
            logger.info("token authentication required", metadata: [
                "tokens": .stringConvertible(records.count), "file": .string(store.path),
            ])
            return authenticator
        }
        if insecure {
            logger.warning("running open (--insecure): no tokens in the data directory, every request is allowed", metadata: [
                "host": .string(host), "hint": "create one with: strata token create --scope admin",
            ])
        } else if loopback {
            logger.notice("running open on loopback: no tokens in the data directory, every request is allowed", metadata: [
                "host": .string(host), "hint": "create one with: strata token create --scope admin",
            ])
        } else {
            throw ServeSecurityError(host: host, dataDirectory: dataDirectory)
        }
        return authenticator
    }

    /// 127.0.0.0/8, ::1 (in any spelling) and `localhost`. Any other name is treated as
    /// reachable from elsewhere: resolving it here would not say where it resolves later.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }), octets[0] == "127" { return true }
        return isIPv6Loopback(name)
    }

    /// `::1`, `0:0:0:0:0:0:0:1`, `0::1` and the like: every group zero but a last 1.
    private static func isIPv6Loopback(_ name: String) -> Bool {
        guard name.contains(":"), !name.hasSuffix(":"), name.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let groups = name.split(separator: ":", omittingEmptySubsequences: true)
        guard let last = groups.last, UInt16(last, radix: 16) == 1 else { return false }
        let explicit = name.split(separator: ":", omittingEmptySubsequences: false)
        guard name.contains("::") || explicit.count == 8 else { return false }
        return groups.dropLast().allSatisfy { UInt16($0, radix: 16) == 0 }
    }
}

/// Refusing to serve a non-loopback address without tokens.
struct ServeSecurityError: Error, CustomStringConvertible {
    var host: String
    var dataDirectory: String

    var description: String {
        """
        refusing to listen on \(host) without tokens: anyone who can reach it could read and write every database. \
        Create a token first (strata token create --data-dir \(dataDirectory) --scope admin), \
        listen on 127.0.0.1, or pass --insecure to run open anyway
        """
    }
}
