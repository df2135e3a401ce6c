import Hummingbird
import Logging
import NIOCore
import StrataCore
import StrataQuery

/// Builds the HTTP API (docs/http-api.md) over one `StorageEngine`.
///
/// The router is separate from the application so that tests can drive it without sockets
/// (HummingbirdTesting's `.router` mode); `strata serve` runs the application.
public enum StrataServer {
    /// `queries` runs /query statements; by default one `QueryExecutor` over `engine`.
    /// `services` defaults to an open server with no-op metrics and an idle hub.
    public static func makeRouter(
        engine: StorageEngine, configuration: StrataServerConfiguration, queries: (any QueryRunner)? = nil,
        services: ServerServices? = nil
    ) -> Router<StrataRequestContext> {
        let services = services ?? .defaults(engine: engine)
        let router = Router(context: StrataRequestContext.self)
        router.add(middleware: InfluxResponseMiddleware())
        router.add(middleware: AuthMiddleware(authenticator: services.authenticator))

        let write = WriteHandler(engine: engine, limits: configuration.limits)
        router.post("/write", use: write.writeV1)
        router.post("/api/v2/write", use: write.writeV2)

        let query = QueryHandler(runner: queries ?? QueryExecutor(engine: engine), limits: configuration.limits)
        router.get("/query", use: query.query)
        router.post("/query", use: query.query)

        let status = StatusHandler(engine: engine)
        router.get("/ping", use: status.ping)
        router.head("/ping", use: status.ping)
        router.get("/health", use: status.health)
        router.post("/flush", use: status.flush)

        addLiveRoutes(to: router, services: services)
        return router
    }

    /// The application `strata serve` runs. `onListening` gets the bound address (useful when
    /// the port is 0). Run it with `runService()`: SIGTERM or SIGINT stops accepting
    /// connections and returns once in-flight requests have been answered; the caller then
    /// closes the engine.
    public static func makeApplication(
        engine: StorageEngine, configuration: StrataServerConfiguration, logger: Logger,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(engine: engine, configuration: configuration),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                await onListening(configuration.host, port)
            },
            logger: logger
        )
    }
}
