import CoreMetrics
import Prometheus

/// The server's metrics, made from one swift-metrics factory: `strata serve` passes a
/// Prometheus factory whose registry `/metrics` renders; tests pass their own or the no-op
/// one. Explicit, not `MetricsSystem.bootstrap`, so several servers in one test process
/// keep separate numbers. Names and meanings: docs/metrics.md.
public final class StrataMetrics: Sendable {
    public let factory: any MetricsFactory
    /// What `/metrics` renders: the Prometheus registry behind `factory`, or nil for another
    /// factory (then `/metrics` shows only the gauges it sets at scrape time).
    public let registry: PrometheusCollectorRegistry?

    // Ingest and query
    public let pointsWritten: CoreMetrics.Counter
    public let writeRequests: CoreMetrics.Counter
    public let queryDuration: CoreMetrics.Timer

    // Live subscriptions (the hub updates these)
    public let connections: CoreMetrics.Meter
    public let subscriptions: CoreMetrics.Meter
    /// From a batch's commit to its messages being queued on every matching connection.
    public let fanoutDuration: CoreMetrics.Timer
    public let pointsSent: CoreMetrics.Counter
    public let pointsConflated: CoreMetrics.Counter
    public let messagesDropped: CoreMetrics.Counter
    public let slowDisconnects: CoreMetrics.Counter

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance, registry: PrometheusCollectorRegistry? = nil) {
        self.factory = factory
        self.registry = registry
        pointsWritten = CoreMetrics.Counter(label: "strata_points_written_total", factory: factory)
        writeRequests = CoreMetrics.Counter(label: "strata_write_requests_total", factory: factory)
        queryDuration = CoreMetrics.Timer(label: "strata_query_duration_seconds", factory: factory)
        connections = CoreMetrics.Meter(label: "strata_live_connections", factory: factory)
        subscriptions = CoreMetrics.Meter(label: "strata_live_subscriptions", factory: factory)
        fanoutDuration = CoreMetrics.Timer(label: "strata_live_fanout_duration_seconds", factory: factory)
        pointsSent = CoreMetrics.Counter(label: "strata_live_points_sent_total", factory: factory)
        pointsConflated = CoreMetrics.Counter(label: "strata_live_points_conflated_total", factory: factory)
        messagesDropped = CoreMetrics.Counter(label: "strata_live_messages_dropped_total", factory: factory)
        slowDisconnects = CoreMetrics.Counter(label: "strata_live_slow_disconnects_total", factory: factory)
    }
}
