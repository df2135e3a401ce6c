import Logging
import NIOSSL
import ServiceLifecycle
import StrataCore
import Synchronization

/// `strata serve --mqtt-broker`: a client of the broker that stores what the rules match
/// (docs/mqtt.md). Runs as a service beside the HTTP server: it reconnects until the server
/// stops, and on SIGTERM acknowledges what it has written before it disconnects.
public final class MQTTIngest: Service {
    let configuration: MQTTConfiguration
    let engine: StorageEngine
    let metrics: MQTTMetrics
    let logger: Logger
    let sslContext: NIOSSLContext?
    private let current = Mutex<MQTTSession?>(nil)
    private let stopping = Mutex(false)

    /// Reconnecting waits 0.5 s, doubling to at most 30 s while connections keep failing:
    /// quick after a broker restart, gentle on one that stays down.
    static let firstRetry: Duration = .milliseconds(500)
    static let lastRetry: Duration = .seconds(30)

    /// Makes the rules' databases that do not exist yet (with the default policy), and reads
    /// the TLS files, so that a mistake stops the server before it starts.
    public init(configuration: MQTTConfiguration, engine: StorageEngine, metrics: StrataMetrics, logger: Logger) async throws {
        self.configuration = configuration
        self.engine = engine
        self.metrics = MQTTMetrics(factory: metrics.factory)
        self.logger = logger
        sslContext = try Self.sslContext(configuration)
        for (database, policy) in configuration.destinations {
            if !engine.databaseExists(database) {
                try await engine.createDatabase(database)
                logger.info("mqtt rules: created database", metadata: ["db": .string(database)])
            }
            do {
                _ = try engine.store(database: database, policy: policy)
            } catch {
                throw MQTTConfigurationError(description: "rules file: \(error)")
            }
        }
    }

    public func run() async throws {
        let committer = MQTTCommitter(engine: engine, rules: configuration.rules, metrics: metrics,
                                      log: MQTTIngestLog(logger: logger))
        var retry = Self.firstRetry
        await withGracefulShutdownHandler {
            while !stopping.withLock({ $0 }), !Task.isCancelled {
                let session = MQTTSession(configuration: configuration, committer: committer, sslContext: sslContext,
                                          logger: logger)
                current.withLock { $0 = session }
                metrics.connects.increment()
                do {
                    try await session.run()
                } catch {
                    if session.connected.isSet { retry = Self.firstRetry }
                    if stopping.withLock({ $0 }) { break }
                    metrics.connectFailures.increment()
                    logger.error("mqtt connection failed; reconnecting", metadata: [
                        "broker": .string(configuration.broker.description), "error": .string("\(error)"),
                        "retryIn": .stringConvertible(retry),
                    ])
                }
                current.withLock { $0 = nil }
                // In short steps, so that a shutdown during a long wait is not held up by it.
                let until = ContinuousClock.now + retry
                while ContinuousClock.now < until, !stopping.withLock({ $0 }), !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                retry = min(retry * 2, Self.lastRetry)
            }
        } onGracefulShutdown: { [self] in
            stopping.withLock { $0 = true }
            current.withLock { $0 }?.stop()
        }
        logger.info("mqtt ingest stopped")
    }

    private static func sslContext(_ configuration: MQTTConfiguration) throws -> NIOSSLContext? {
        guard configuration.broker.usesTLS else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = configuration.caFile { tls.trustRoots = .file(ca) }
        if let cert = configuration.certificateFile, let key = configuration.keyFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw MQTTConfigurationError(description: "cannot read the client certificate \(cert) or key \(key): \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw MQTTConfigurationError(description: "cannot set up TLS for \(configuration.broker): \(error)")
        }
    }
}
