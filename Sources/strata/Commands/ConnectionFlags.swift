import ArgumentParser
import StrataCore
import StrataServer

/// The limits of docs/limits-connections.md. Each defaults to `StrataServerConfiguration`'s
/// or `LiveConfiguration`'s value, where its reason is given.
struct ConnectionFlags: ParsableArguments {
    @Option(name: .customLong("max-connection-limit"),
            help: "Most open connections, HTTP and WebSocket; when full, idle ones are closed to admit new ones, else new ones get 503. 0: no limit (default: the open-file limit minus an eighth, at least 128 kept: 896 at 1024).")
    var maxConnectionLimit: Int?

    @Option(name: .customLong("max-header-bytes"),
            help: "Largest request head (URL and headers), with an optional K or M suffix; larger ones get 431 (default 64K).")
    var maxHeaderBytes: String?

    @Option(name: .customLong("http-read-header-timeout"),
            help: "How long a connection may take to send a complete request head before it is closed (408): 5s, 1m (default 10s).")
    var headerTimeout: String?

    @Option(name: .customLong("http-idle-timeout"),
            help: "How long an idle keep-alive HTTP connection stays open: 30s, 5m, or 0 for no limit (default 75s). WebSockets follow their pings instead.")
    var idleTimeout: String?

    @Option(name: .customLong("max-stream-connections-per-token"),
            help: "Most open /v1/stream connections per token; more get 429. 0: no limit (default 100).")
    var maxStreamConnectionsPerToken: Int?

    @Option(name: .customLong("max-subscriptions-per-token"),
            help: "Most live subscriptions per token over all its connections; more get an error message. 0: no limit (default 1000).")
    var maxSubscriptionsPerToken: Int?

    func apply(to configuration: inout StrataServerConfiguration, live: inout LiveConfiguration) throws {
        if let limit = maxConnectionLimit {
            guard limit >= 0 else { throw ValidationError("--max-connection-limit must not be negative (0: no limit)") }
            configuration.limits.maxConnections = limit
        }
        if let text = maxHeaderBytes {
            guard let bytes = RetentionFlags.bytes(text), bytes >= 1024 else {
                throw ValidationError("--max-header-bytes must be a size of at least 1K such as 16K, 65536 or 1M, got \"\(text)\"")
            }
            configuration.limits.maxHeaderBytes = bytes
        }
        if let text = headerTimeout {
            guard let seconds = DurationText.flagSeconds(text), seconds > 0 else {
                throw ValidationError("--http-read-header-timeout must be a duration above 0 such as 5s, 10s or 1m, got \"\(text)\"")
            }
            configuration.limits.headerTimeout = .seconds(seconds)
        }
        if let text = idleTimeout {
            guard let seconds = DurationText.flagSeconds(text) else {
                throw ValidationError("--http-idle-timeout must be a duration such as 30s, 75s or 5m, or 0 for none, got \"\(text)\"")
            }
            configuration.limits.idleTimeout = seconds > 0 ? .seconds(seconds) : nil
        }
        if let limit = maxStreamConnectionsPerToken {
            guard limit >= 0 else { throw ValidationError("--max-stream-connections-per-token must not be negative (0: no limit)") }
            configuration.stream.maxConnectionsPerToken = limit
        }
        if let limit = maxSubscriptionsPerToken {
            guard limit >= 0 else { throw ValidationError("--max-subscriptions-per-token must not be negative (0: no limit)") }
            live.maxSubscriptionsPerToken = limit
        }
    }
}
