import Hummingbird
import Prometheus
import StrataCore
import StrataQuery
import Synchronization

/// `GET /metrics`: the Prometheus text format (version 0.0.4) of the server's registry,
/// after setting the gauges that describe state rather than events (engine sizes, open
/// connections) from their sources. Names and meanings: docs/metrics.md.
struct MetricsEndpoint: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let engine: StorageEngine?
    let hub: LiveHub
    let registry: PrometheusCollectorRegistry
    private let gauges: Gauges
    let queries: QueryManager?
    private let queryGauges: QueryGauges

    init(engine: StorageEngine?, hub: LiveHub, metrics: StrataMetrics, queries: QueryManager? = nil) {
        self.engine = engine
        self.hub = hub
        self.queries = queries
        // A server built with another factory still reports its state.
        registry = metrics.registry ?? PrometheusCollectorRegistry()
        gauges = Gauges(registry: registry)
        queryGauges = QueryGauges(registry: registry)
    }

    func render(_ request: Request, context: some RequestContext) async throws -> Response {
        if let engine { gauges.set(engine: engine.stats()) }
        gauges.set(connections: hub.connections())
        if let queries { queryGauges.set(queries) }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: Self.contentType],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private struct Gauges: Sendable {
        let headBytes, headRows, segments, segmentBytes, walFiles, walBytes, series, lastSequence: Gauge
        let queuedMessages, queuedBytes: Gauge
        let compactionActive, partitions, tierFiles, tierBytes: Gauge
        let compactions, compactionBytes: Prometheus.Counter
        /// The engine's totals last added to the two counters: the engine counts since open,
        /// a Prometheus counter only goes up, so each scrape adds the difference.
        private let counted = Counted()

        private final class Counted: Sendable {
            let totals = Mutex((compactions: 0, bytes: 0))
        }

        init(registry r: PrometheusCollectorRegistry) {
            headBytes = r.makeGauge(name: "strata_head_bytes", help: "Bytes of column data in the in-memory head (not yet in segments)")
            headRows = r.makeGauge(name: "strata_head_rows", help: "Rows in the in-memory head")
            segments = r.makeGauge(name: "strata_segments", help: "Segment files")
            segmentBytes = r.makeGauge(name: "strata_segment_bytes", help: "Bytes of segment files")
            walFiles = r.makeGauge(name: "strata_wal_files", help: "WAL files, including flushed ones kept for resuming subscribers")
            walBytes = r.makeGauge(name: "strata_wal_bytes", help: "Bytes of WAL files")
            series = r.makeGauge(name: "strata_series", help: "Series in the index")
            lastSequence = r.makeGauge(name: "strata_wal_last_sequence", help: "Sequence number of the last durable WAL record")
            queuedMessages = r.makeGauge(name: "strata_live_queued_messages", help: "Messages waiting in every connection's outgoing queue")
            queuedBytes = r.makeGauge(name: "strata_live_queued_bytes", help: "Bytes waiting in every connection's outgoing queue")
            compactionActive = r.makeGauge(name: "strata_compaction_active", help: "1 while a compaction runs, else 0")
            partitions = r.makeGauge(name: "strata_partitions", help: "Compacted time partitions holding raw data")
            tierFiles = r.makeGauge(name: "strata_tier_files", help: "Rollup tier files")
            tierBytes = r.makeGauge(name: "strata_tier_bytes", help: "Bytes of rollup tier files")
            compactions = r.makeCounter(name: "strata_compactions_total", help: "Compactions finished since the server started")
            compactionBytes = r.makeCounter(name: "strata_compaction_bytes_written_total",
                                            help: "Bytes of segment and tier files compactions wrote since the server started")
        }

        func set(connections: [ConnectionSnapshot]) {
            queuedMessages.set(to: Double(connections.reduce(0) { $0 + $1.queuedMessages }))
            queuedBytes.set(to: Double(connections.reduce(0) { $0 + $1.queuedBytes }))
        }

        func set(engine s: EngineStats) {
            headBytes.set(to: Double(s.headBytes))
            headRows.set(to: Double(s.headRows))
            segments.set(to: Double(s.segmentCount))
            segmentBytes.set(to: Double(s.segmentBytes))
            walFiles.set(to: Double(s.walFiles))
            walBytes.set(to: Double(s.walBytes))
            series.set(to: Double(s.seriesCount))
            lastSequence.set(to: Double(s.lastSequence))
            compactionActive.set(to: s.compacting ? 1 : 0)
            partitions.set(to: Double(s.partitions))
            tierFiles.set(to: Double(s.tierFiles))
            tierBytes.set(to: Double(s.tierBytes))
            counted.totals.withLock { last in
                if s.compactions > last.compactions { compactions.increment(by: Int64(s.compactions - last.compactions)) }
                if s.compactionBytesWritten > last.bytes {
                    compactionBytes.increment(by: Int64(s.compactionBytesWritten - last.bytes))
                }
                last = (max(last.compactions, s.compactions), max(last.bytes, s.compactionBytesWritten))
            }
        }
    }
}
