import ArgumentParser
import Logging
import NIOSSL
import ServiceLifecycle
import StrataCore
import StrataQuery
import StrataServer

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
