import Logging
import StrataCore
import StrataQuery

/// What the routes share beside the engine: who may do what, the live hub, the metrics and
/// the running queries.
public struct ServerServices: Sendable {
    public var authenticator: Authenticator
    public var hub: LiveHub
    public var metrics: StrataMetrics
    /// Limits, queue, threads and registry of `/query` (docs/limits.md); unlimited and on the
    /// caller's threads unless the server passes its own.
    public var queries: QueryManager

    public init(authenticator: Authenticator, hub: LiveHub, metrics: StrataMetrics,
                queries: QueryManager = QueryManager(limits: .unlimited)) {
        self.authenticator = authenticator
        self.hub = hub
        self.metrics = metrics
        self.queries = queries
    }

    /// An open server with no-op metrics and a hub that is not running: what route tests
    /// that do not care about auth or live data use.
    public static func defaults(engine: StorageEngine, logger: Logger = Logger(label: "strata.test")) -> ServerServices {
        let metrics = StrataMetrics()
        return ServerServices(authenticator: .open, hub: LiveHub(engine: engine, metrics: metrics, logger: logger),
                              metrics: metrics)
    }
}
