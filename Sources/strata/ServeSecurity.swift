import Logging
import StrataServer

/// PLACEHOLDER (issue 4 skeleton): decides whether `strata serve` may start and with which
/// authenticator: open on loopback with no tokens, refused on other addresses without
/// tokens unless `insecure`.
enum ServeSecurity {
    static func makeAuthenticator(dataDirectory: String, host: String, insecure: Bool, logger: Logger) throws -> Authenticator {
        .open
    }
}
