import Hummingbird
import Logging
import ServiceLifecycle
import StrataCore

extension StrataServer {
    /// The application `strata serve` runs: the HTTP API, `/v1/stream` WebSocket upgrades
    /// (docs/http-api.md, "Live stream"), the hub's fan-out and the stream watchdog, with
    /// the connection limits of docs/limits-connections.md.
    /// `onListening` gets the bound address (useful when the port is 0). Run it with
    /// `runService()`: SIGTERM or SIGINT stops accepting connections, closes open
    /// WebSockets with 1001 and returns once in-flight requests have been answered; the
    /// caller then closes the engine.
    public static func makeApplication(
        engine: StorageEngine, configuration: StrataServerConfiguration, services: ServerServices? = nil,
        logger: Logger, extraServices: [any Service] = [],
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        let services = services ?? .defaults(engine: engine, logger: logger)
        let hub = services.hub
        return makeApplication(engine: engine, configuration: configuration, services: services, logger: logger,
                               extraServices: extraServices, onListening: onListening,
                               open: { hub.open($0, principal: $1) })
    }

    /// As above, with the hub's side of each connection opened by `open` (transport tests
    /// substitute their own endpoints).
    static func makeApplication(
        engine: StorageEngine, configuration: StrataServerConfiguration, services: ServerServices, logger: Logger,
        extraServices: [any Service] = [], onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void,
        open: @escaping StreamEndpointOpener
    ) -> some ApplicationProtocol {
        let watchdog = StreamWatchdog(settings: configuration.stream)
        let hub = services.hub
        let upgrade = StreamUpgrade(authenticator: services.authenticator, open: open, watchdog: watchdog,
                                    onShutdown: StreamShutdownOnce { hub.closeAll() },
                                    tokenConnections: TokenConnections(limit: configuration.stream.maxConnectionsPerToken),
                                    metrics: services.metrics, logger: logger)
        // Every TCP connection, HTTP or WebSocket (docs/limits-connections.md).
        let trimmer = MemoryTrimmer()
        let table = ConnectionTable(maxConnections: configuration.limits.maxConnections, metrics: services.metrics,
                                    logger: logger, trimmer: trimmer)
        return Application(
            router: makeRouter(engine: engine, configuration: configuration, services: services),
            server: StreamUpgradeChannel.builder(upgrade, table: table, limits: configuration.limits, tls: configuration.tls),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            services: [LiveStreamService(hub: services.hub, watchdog: watchdog, authenticator: services.authenticator,
                                         trimmer: trimmer)] + extraServices,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(configuration.host, port)
            },
            logger: logger
        )
    }
}
