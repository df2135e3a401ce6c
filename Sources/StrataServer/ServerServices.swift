import Logging
import StrataCore

/// What the routes share beside the engine: who may do what, the live hub and the metrics.
public struct ServerServices: Sendable {
    public var authenticator: Authenticator
    public var hub: LiveHub
    public var metrics: StrataMetrics

    public init(authenticator: Authenticator, hub: LiveHub, metrics: StrataMetrics) {
        self.authenticator = authenticator
        self.hub = hub
        self.metrics = metrics
    }

    /// An open server with no-op metrics and a hub that is not running: what route tests
    /// that do not care about auth or live data use.
    public static func defaults(engine: StorageEngine, logger: Logger = Logger(label: "strata.test")) -> ServerServices {
        let metrics = StrataMetrics()
        return ServerServices(authenticator: .open, hub: LiveHub(engine: engine, metrics: metrics, logger: logger),
                              metrics: metrics)
    }
}
