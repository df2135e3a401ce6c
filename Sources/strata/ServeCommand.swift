import ArgumentParser
import Logging
import NIOSSL
import ServiceLifecycle
import StrataCore
import StrataQuery
import StrataServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `strata serve`: the HTTP API over one data directory, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server: InfluxDB-compatible /write, /api/v2/write, /query; live subscriptions on /v1/stream; /metrics.",
        discussion: """
            Tokens (strata token create) protect every route. With none configured the server runs \
            open, which it allows only on a loopback address; on any other address it refuses to \
            start unless given --insecure.

            Environment: STRATA_DATA_DIR and STRATA_HTTP give defaults for --data-dir and --http \
            (the flags win); STRATA_LOG_LEVEL sets the log level (trace ... critical, default info).
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
    var dataDir: String?

    @Option(name: .customLong("http"), help: "Address to listen on, HOST:PORT (default 127.0.0.1:8086).")
    var http: String?

    @Option(name: .customLong("wal-retention"),
            help: "How long flushed WAL files are kept for subscribers resuming by sequence: 0, 90s, 15m, 1h, 2d, 2w (default 1h).")
    var walRetention: String?

    @Option(name: .customLong("wal-retention-bytes"), help: "At most this many bytes of flushed WAL files (default 1073741824).")
    var walRetentionBytes: Int?

    @OptionGroup(title: "Retention and rollups") var retention: RetentionFlags

    @OptionGroup(title: "Connection limits (docs/limits-connections.md)") var connections: ConnectionFlags

    @OptionGroup(title: "Query and ingest limits (docs/limits.md)") var queryLimits: QueryLimitFlags

    @OptionGroup(title: "MQTT ingest (docs/mqtt.md)") var mqtt: MQTTFlags

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS and WSS with this PEM certificate chain (needs --tls-key; docs/tls.md).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(name: .customLong("insecure"),
          help: "Allow running without tokens on a non-loopback address (anyone who can reach it may read, write and administer).")
    var insecure = false

    func run() async throws {
        ProcessMemory.limitArenas()
        let dataDirectory = dataDir ?? Environment.value("STRATA_DATA_DIR") ?? "./strata-data"
        let address = http ?? Environment.value("STRATA_HTTP") ?? "127.0.0.1:8086"
        guard let (host, port) = HostPort.parse(address) else {
            throw ValidationError("--http must be HOST:PORT (for example 127.0.0.1:8086), got \"\(address)\"")
        }
        let logger = StrataLogging.logger("strata.server")
        var options = EngineOptions()
        if let text = walRetention ?? Environment.value("STRATA_WAL_RETENTION") {
            guard let seconds = DurationText.flagSeconds(text) else {
                throw ValidationError("--wal-retention must be a duration such as 0, 90s, 15m, 1h, 2d or 2w, got \"\(text)\"")
            }
            options.walRetentionSeconds = seconds
        }
        if let bytes = walRetentionBytes {
            guard bytes >= 0 else { throw ValidationError("--wal-retention-bytes must not be negative") }
            options.walRetentionBytes = bytes
        }
        try retention.apply(to: &options)
        try queryLimits.apply(to: &options)
        let limits = try queryLimits.limits()
        var configuration = StrataServerConfiguration(host: host, port: port, dataDirectory: dataDirectory)
        var live = LiveConfiguration()
        try connections.apply(to: &configuration, live: &live)
        configuration.tls = try tlsContext()
        let mqttConfiguration = try mqtt.configuration()
        // Before the engine opens: a server that may not start touches nothing.
        let authenticator = try ServeSecurity.makeAuthenticator(
            dataDirectory: dataDirectory, host: host, insecure: insecure, logger: logger)
        // One registry for everything /metrics shows, the engine's WAL fsync timer included.
        let metrics = StrataMetrics.prometheus()
        options.metricsFactory = metrics.factory
        let engine = try await StorageEngine.open(
            directory: dataDirectory, options: options, logger: StrataLogging.logger("strata.engine"))
        let services = ServerServices(
            authenticator: authenticator,
            hub: LiveHub(engine: engine, configuration: live, metrics: metrics, logger: StrataLogging.logger("strata.live")),
            metrics: metrics,
            // One query thread per running query: heavy scans never hold the cooperative pool.
            queries: QueryManager(limits: limits, threads: max(1, limits.maxConcurrentQueries == 0 ? 4 : limits.maxConcurrentQueries),
                                  slowQuery: { task, took in
                                      logger.warning("slow query", metadata: [
                                          "qid": .stringConvertible(task.id), "database": .string(task.database ?? ""),
                                          "duration": .stringConvertible(took), "query": .string(task.text),
                                      ])
                                  }))
        var extraServices: [any Service] = []
        if let mqttConfiguration {
            do {
                extraServices.append(try await MQTTIngest(
                    configuration: mqttConfiguration, engine: engine, metrics: metrics,
                    logger: StrataLogging.logger("strata.mqtt")))
            } catch {
                try? await engine.close()
                throw ValidationError("\(error)")
            }
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let app = StrataServer.makeApplication(
            engine: engine, configuration: configuration, services: services, logger: logger,
            extraServices: extraServices
        ) { host, port in
            let url = "\(scheme)://\(HostPort.format(host: host, port: port))"
            logger.info("listening", metadata: ["url": .string(url), "dataDir": .string(dataDirectory)])
            StandardError.write("strata listening on \(url)\n")
        }
        do {
            // Returns after SIGTERM/SIGINT once in-flight requests are answered.
            try await app.runService()
        } catch {
            try? await engine.close()
            throw error
        }
        // Everything acknowledged is in the WAL already; close stops background work cleanly.
        try await engine.close()
        logger.info("stopped")
    }
}

extension ServeCommand {
    private func tlsContext() throws -> NIOSSLContext? {
        switch (tlsCert, tlsKey) {
        case (nil, nil):
            return nil
        case (let cert?, let key?):
            do {
                return try StrataServerConfiguration.tlsContext(certificateFile: cert, keyFile: key)
            } catch {
                throw ValidationError("--tls-cert/--tls-key: \(error)")
            }
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
    }
}

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

/// `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:8086`).
enum HostPort {
    static func parse(_ s: String) -> (host: String, port: Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    static func format(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}

enum StandardError {
    /// write(2) rather than stdio's `stderr`, a C global that Swift 6 rejects as shared state.
    static func write(_ s: String) {
        writeAll(s, to: STDERR_FILENO)
    }

    /// All of `s` to `descriptor` with write(2), retrying on EINTR; gives up on an error
    /// (nothing useful can be reported about a failing terminal or log).
    static func writeAll(_ s: String, to descriptor: Int32) {
        var bytes = Array(s.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
