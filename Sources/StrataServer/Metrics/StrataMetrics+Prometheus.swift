import CoreMetrics
import Prometheus
import StrataCore

extension StrataMetrics {
    /// Metrics rendered by `/metrics` from `registry`, with histogram buckets chosen per
    /// timer (docs/metrics.md). `strata serve` also hands `factory` to the engine so the
    /// WAL's fsync timer lands in the same registry.
    public convenience init(prometheus registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = Self.histogramBuckets
        self.init(factory: factory, registry: registry)
    }

    /// A fresh registry and the metrics made from it: what `strata serve` uses.
    public static func prometheus() -> StrataMetrics {
        StrataMetrics(prometheus: PrometheusCollectorRegistry())
    }

    /// Per timer label. Each range spans what was measured here up to where something is
    /// badly wrong, about 2.5× per step (Prometheus' own default spacing).
    static let histogramBuckets: [String: [Duration]] = [
        // Queries run from well under a millisecond (one series, recent data) to seconds
        // (a year of 1 s data grouped by minute).
        "strata_query_duration_seconds": [
            .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ],
        // A small write is one fsync (~170 µs here, below) plus parsing; the 5,000-line bodies
        // of the peer benchmark take ~10 ms; past seconds the disk or the server is failing.
        "strata_write_duration_seconds": [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
        ],
        // A 4 KiB append plus fdatasync took ~170 µs on this machine's SSD (SWIFT-NOTES.md);
        // a spinning disk takes ~10 ms; beyond 1 s the disk is failing.
        WriteAheadLog.fsyncMetricLabel: [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .seconds(1),
        ],
        // The goal is a p99 under 5 ms from commit to delivery at 1,000 subscribers.
        "strata_live_fanout_duration_seconds": [
            .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
            .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        ],
    ]
}
