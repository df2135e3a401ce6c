import CoreMetrics

/// The MQTT ingest's metrics (docs/metrics.md, "MQTT ingest").
final class MQTTMetrics: Sendable {
    /// What became of a message: the `outcome` label of `strata_mqtt_messages_total`.
    enum Outcome: String, CaseIterable, Sendable {
        /// At least one of its points is durable (and it was acknowledged after that).
        case stored
        /// No rule matches its topic.
        case unmatched
        /// Not JSON, or no record made a point (a missing tag, a value of the wrong type).
        case invalid
        /// Its points were made but the engine refused every one (a field type conflict,
        /// a retention cut, a limit).
        case refused
        /// Larger than `--mqtt-max-message-bytes`; skipped unread.
        case tooLarge = "too_large"
    }

    private let messages: [Outcome: Counter]
    let points: Counter
    let values: Counter
    let connected: Meter
    let connects: Counter
    let connectFailures: Counter
    /// From taking a batch to acknowledging it: the WAL write and fsync it waits for.
    let commitDuration: Timer

    init(factory: any MetricsFactory) {
        messages = Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
            ($0, Counter(label: "strata_mqtt_messages_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        points = Counter(label: "strata_mqtt_points_written_total", factory: factory)
        values = Counter(label: "strata_mqtt_values_written_total", factory: factory)
        connected = Meter(label: "strata_mqtt_connected", factory: factory)
        connects = Counter(label: "strata_mqtt_connects_total", factory: factory)
        connectFailures = Counter(label: "strata_mqtt_connect_failures_total", factory: factory)
        commitDuration = Timer(label: "strata_mqtt_commit_duration_seconds", factory: factory)
    }

    func count(_ outcome: Outcome, by n: Int = 1) {
        if n > 0 { messages[outcome]?.increment(by: n) }
    }
}
