/// Everything one `strata bench` run measured, as its JSON file holds it (docs/bench.md).
struct BenchResults: Codable, Sendable {
    struct Workload: Codable, Sendable {
        var devices: Int
        var seconds: Int64
        var intervalNanoseconds: Int64
        var jitterMilliseconds: Int64
        var seed: UInt64
        var lines: Int
        var values: Int
        var batchLines: Int
        var connections: Int
        var bytes: Int
    }

    struct Sample: Codable, Sendable {
        /// Seconds since the system's ingest began.
        var seconds: Double
        var value: Double
    }

    struct Query: Codable, Sendable {
        var id: BenchQuery.ID
        var text: String
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var runsMilliseconds: [Double]
        var answer: BenchAnswer
    }

    struct System: Codable, Sendable {
        var name: BenchSystem.Kind
        var url: String
        /// Started by this run: its CPU, memory and disk were measured.
        var local: Bool
        var ingestSeconds = 0.0
        var valuesPerSecond = 0.0
        var serverCPUSeconds: Double?
        var valuesPerCPUSecond: Double?
        var peakRSSBytes: Int?
        var diskBytes: Int?
        var diskAllocatedBytes: Int?
        var bytesPerValue: Double?
        var settleSeconds: Double?
        /// Values acknowledged per second over the last second, sampled every 250 ms during ingest.
        var ingestRate: [Sample] = []
        /// Resident memory over the whole run of this system, sampled.
        var rss: [Sample] = []
        var queries: [Query] = []
        var error: String?
    }

    var workload: Workload
    var window: BenchWindow
    var systems: [System]
    /// Empty when every system's answers agree with the first's and with the counts the
    /// workload fixes.
    var disagreements: [String] = []

    var agree: Bool { disagreements.isEmpty }

    /// Compares each query's answer across systems and with the expected sizes.
    mutating func checkAgreement() {
        disagreements = []
        for id in BenchQuery.ID.allCases {
            let answers = systems.compactMap { s in s.queries.first { $0.id == id }.map { (s.name, $0.answer) } }
            for (name, answer) in answers {
                if let expected = window.expectedValues[id.rawValue], answer.values != expected {
                    disagreements.append("\(id.rawValue): \(name.rawValue) returned \(answer.values) values, expected \(expected)")
                }
            }
            guard let (firstName, first) = answers.first else { continue }
            for (name, answer) in answers.dropFirst() where !answer.agrees(with: first) {
                disagreements.append("\(id.rawValue): \(name.rawValue) returned \(answer.values) values summing to \(answer.digest), "
                    + "\(firstName.rawValue) \(first.values) summing to \(first.digest)")
            }
        }
        for s in systems where s.error != nil {
            disagreements.append("\(s.name.rawValue) failed: \(s.error!)")
        }
    }
}
