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
    /// Writes refused because the head stayed at `cache-max-memory-size`.
    public let writesRefusedHeadFull: CoreMetrics.Counter
    public let writeRequests: CoreMetrics.Counter
    /// A write request from reading its body to its answer (durable, or refused).
    public let writeDuration: CoreMetrics.Timer
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

    // Connections and their limits (the transport and the hub update these;
    // docs/limits-connections.md)
    /// Open TCP connections: HTTP (idle keep-alive, reading a head, answering) and WebSocket.
    public let openConnections: CoreMetrics.Meter
    private let refusals: [ConnectionRefusal: CoreMetrics.Counter]

    /// Why a connection, upgrade or subscription was refused or cut: the `reason` label of
    /// `strata_connections_refused_total`.
    public enum ConnectionRefusal: String, CaseIterable, Sendable {
        /// The server was full and nothing could be evicted: 503.
        case maxConnections = "max_connections"
        /// No complete request head in time: 408 (or a silent close if nothing came).
        case headerTimeout = "header_timeout"
        /// A request head over the size limit: 431.
        case headerTooLarge = "header_too_large"
        /// An idle or half-sent connection closed to make room for a new one when full.
        case evicted
        /// A `/v1/stream` upgrade over the token's connection limit: 429.
        case tokenConnections = "token_connections"
        /// A subscribe over the token's subscription limit: an `error` message.
        case tokenSubscriptions = "token_subscriptions"
    }

    /// Counts one refusal (or eviction) for `reason`.
    public func refused(_ reason: ConnectionRefusal) {
        refusals[reason]?.increment()
    }

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance, registry: PrometheusCollectorRegistry? = nil) {
        self.factory = factory
        self.registry = registry
        pointsWritten = CoreMetrics.Counter(label: "strata_points_written_total", factory: factory)
        writesRefusedHeadFull = CoreMetrics.Counter(label: "strata_writes_refused_total", dimensions: [("limit", "cache-max-memory-size")],
                                                    factory: factory)
        writeRequests = CoreMetrics.Counter(label: "strata_write_requests_total", factory: factory)
        writeDuration = CoreMetrics.Timer(label: "strata_write_duration_seconds", factory: factory)
        queryDuration = CoreMetrics.Timer(label: "strata_query_duration_seconds", factory: factory)
        connections = CoreMetrics.Meter(label: "strata_live_connections", factory: factory)
        subscriptions = CoreMetrics.Meter(label: "strata_live_subscriptions", factory: factory)
        fanoutDuration = CoreMetrics.Timer(label: "strata_live_fanout_duration_seconds", factory: factory)
        pointsSent = CoreMetrics.Counter(label: "strata_live_points_sent_total", factory: factory)
        pointsConflated = CoreMetrics.Counter(label: "strata_live_points_conflated_total", factory: factory)
        messagesDropped = CoreMetrics.Counter(label: "strata_live_messages_dropped_total", factory: factory)
        slowDisconnects = CoreMetrics.Counter(label: "strata_live_slow_disconnects_total", factory: factory)
        openConnections = CoreMetrics.Meter(label: "strata_connections", factory: factory)
        // Made up front, so every reason shows (at 0) from the first scrape.
        refusals = Dictionary(uniqueKeysWithValues: ConnectionRefusal.allCases.map {
            ($0, CoreMetrics.Counter(label: "strata_connections_refused_total", dimensions: [("reason", $0.rawValue)],
                                     factory: factory))
        })
    }
}
