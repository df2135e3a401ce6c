import Prometheus
import StrataQuery
import Synchronization

/// The query manager's state and totals on `/metrics` (docs/metrics.md, docs/limits.md):
/// queries running and queued, the memory they hold, and started, killed, timed out, aborted and refused by each
/// limit since the server started.
struct QueryGauges: Sendable {
    let running, queued, memory, memoryLimit: Gauge
    let started, killed, timedOut, aborted: Prometheus.Counter
    let registry: PrometheusCollectorRegistry
    /// Totals already added: the manager counts since start, a counter only goes up.
    private let last = Last()

    private final class Last: Sendable {
        let totals = Mutex<[String: Int]>([:])
    }

    init(registry r: PrometheusCollectorRegistry) {
        registry = r
        running = r.makeGauge(name: "strata_queries_running", help: "Queries running now")
        queued = r.makeGauge(name: "strata_queries_queued", help: "Queries waiting for a slot (max-concurrent-queries)")
        memory = r.makeGauge(name: "strata_queries_memory_bytes",
                             help: "Bytes running queries hold, as counted against query-max-memory-bytes")
        memoryLimit = r.makeGauge(name: "strata_queries_memory_limit_bytes", help: "query-max-memory-bytes (0: no limit)")
        started = r.makeCounter(name: "strata_queries_started_total", help: "Queries started since the server started")
        killed = r.makeCounter(name: "strata_queries_killed_total", help: "Queries stopped by KILL QUERY")
        timedOut = r.makeCounter(name: "strata_queries_timed_out_total", help: "Queries stopped by query-timeout")
        aborted = r.makeCounter(name: "strata_queries_aborted_total", help: "Queries stopped because their request was cancelled")
    }

    func set(_ manager: QueryManager) {
        running.set(to: Double(manager.running.count))
        queued.set(to: Double(manager.queued))
        memory.set(to: Double(manager.memory.inUse))
        memoryLimit.set(to: Double(manager.memory.limit))
        let c = manager.counters
        var totals = [
            "started": c.started.load(ordering: .relaxed), "killed": c.killed.load(ordering: .relaxed),
            "timedOut": c.timedOut.load(ordering: .relaxed), "aborted": c.aborted.load(ordering: .relaxed),
        ]
        for (limit, n) in c.refusedByLimit { totals["refused:" + limit] = n }
        last.totals.withLock { last in
            for (name, total) in totals where total > last[name, default: 0] {
                let delta = Int64(total - last[name, default: 0])
                switch name {
                case "started": started.increment(by: delta)
                case "killed": killed.increment(by: delta)
                case "timedOut": timedOut.increment(by: delta)
                case "aborted": aborted.increment(by: delta)
                default:
                    registry.makeCounter(name: "strata_queries_refused_total", labels: [("limit", String(name.dropFirst(8)))],
                                         help: "Queries or statements refused by a limit, by InfluxDB's name of it")
                        .increment(by: delta)
                }
                last[name] = total
            }
        }
    }
}
