/// Latency summary in microseconds over one set of samples (nanoseconds in).
struct Percentiles: Codable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var min: Double

    init(nanoseconds samples: [Int64]) {
        let sorted = samples.sorted()
        count = sorted.count
        func at(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            // Nearest rank: the smallest sample with at least q of the samples at or below it.
            let rank = Swift.max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)
            return Double(sorted[Swift.min(rank, sorted.count - 1)]) / 1000
        }
        p50 = at(0.50)
        p90 = at(0.90)
        p99 = at(0.99)
        max = Double(sorted.last ?? 0) / 1000
        min = Double(sorted.first ?? 0) / 1000
    }
}
