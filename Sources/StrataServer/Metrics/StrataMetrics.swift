import CoreMetrics

/// The server's metrics, made from one swift-metrics factory: `strata serve` passes a
/// Prometheus factory whose registry `/metrics` renders; tests pass their own or the no-op
/// one. Explicit, not `MetricsSystem.bootstrap`, so several servers in one test process
/// keep separate numbers. Names and meanings: docs/metrics.md.
public final class StrataMetrics: Sendable {
    public let factory: any MetricsFactory

    // Ingest and query
    public let pointsWritten: Counter
    public let writeRequests: Counter
    public let queryDuration: Timer

    // Live subscriptions (the hub updates these)
    public let connections: Meter
    public let subscriptions: Meter
    /// From a batch's commit to its messages being queued on every matching connection.
    public let fanoutDuration: Timer
    public let pointsSent: Counter
    public let pointsConflated: Counter
    public let messagesDropped: Counter
    public let slowDisconnects: Counter

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        pointsWritten = Counter(label: "strata_points_written_total", factory: factory)
        writeRequests = Counter(label: "strata_write_requests_total", factory: factory)
        queryDuration = Timer(label: "strata_query_duration_seconds", factory: factory)
        connections = Meter(label: "strata_live_connections", factory: factory)
        subscriptions = Meter(label: "strata_live_subscriptions", factory: factory)
        fanoutDuration = Timer(label: "strata_live_fanout_duration_seconds", factory: factory)
        pointsSent = Counter(label: "strata_live_points_sent_total", factory: factory)
        pointsConflated = Counter(label: "strata_live_points_conflated_total", factory: factory)
        messagesDropped = Counter(label: "strata_live_messages_dropped_total", factory: factory)
        slowDisconnects = Counter(label: "strata_live_slow_disconnects_total", factory: factory)
    }
}
