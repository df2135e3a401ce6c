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
        // Every route below is behind it: docs/auth.md lists what each one needs.
        router.add(middleware: AuthMiddleware(
            authenticator: services.authenticator, maxFormBytes: configuration.limits.maxQueryBytes))

        let write = WriteHandler(engine: engine, limits: configuration.limits, metrics: services.metrics)
        router.post("/write", use: write.writeV1)
        router.post("/api/v2/write", use: write.writeV2)

        let query = QueryHandler(
            runner: queries ?? EngineQueryRunner(engine: engine, manager: services.queries), limits: configuration.limits, metrics: services.metrics)
        router.get("/query", use: query.query)
        router.post("/query", use: query.query)

        let status = StatusHandler(engine: engine)
        router.get("/ping", use: status.ping)
        router.head("/ping", use: status.ping)
        router.get("/health", use: status.health)
        router.post("/flush", use: status.flush)
        router.post("/compact", use: status.compact)

        addLiveRoutes(to: router, services: services)
        addMetricsRoute(to: router, services: services)
        return router
    }
}
