import Foundation

/// The printed summary: one line per subscriber count, latencies in milliseconds.
enum LatencyTable {
    static let header = [
        "subs", "p50 ms", "p90 ms", "p99 ms", "max ms", "p99 from send", "delivered/expected",
        "missing", "dup", "conflated", "ingest pts/s", "write p99 ms", "server CPU%", "client CPU%", "load",
    ].joined(separator: " | ")

    static func row(_ r: LatencyResult) -> String {
        let a = r.latencyFromAckMicros
        return [
            "\(r.subscribers)\(r.stalledSubscribers > 0 ? "+\(r.stalledSubscribers) stalled" : "")",
            ms(a.p50), ms(a.p90), ms(a.p99), ms(a.max), ms(r.latencyFromSendMicros.p99),
            "\(r.delivered)/\(r.expectedDeliveries)", "\(r.missing)", "\(r.duplicates)", "\(r.conflatedMessages)",
            String(format: "%.0f", r.ingestPointsPerSecond), ms(r.writeRoundTripMicros.p99),
            r.serverCPUPercent.map { String(format: "%.0f", $0) } ?? "-", String(format: "%.0f", r.clientCPUPercent),
            r.loadAverageAfter,
        ].joined(separator: " | ")
    }

    private static func ms(_ micros: Double) -> String { String(format: "%.2f", micros / 1000) }
}
