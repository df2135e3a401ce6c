import Synchronization

/// Values acknowledged so far during one system's ingest: drawn as a progress bar on a
/// terminal and sampled four times a second as the ingest-rate series of the report.
final class IngestTally: Sendable {
    let total: Int
    private let acknowledged = Atomic<Int>(0)
    private let nextBatch = Atomic<Int>(0)

    init(total: Int) {
        self.total = total
    }

    /// The index of the next batch to send; each index is handed out once.
    func claimBatch() -> Int {
        nextBatch.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    func add(_ values: Int) {
        acknowledged.add(values, ordering: .relaxed)
    }

    /// Until cancelled: every 250 ms a sample of the rate over the last second (a window
    /// that spans several batches, so the line shows the rate and not the batch size) and,
    /// when `show`, a redrawn bar.
    func watch(system: String, since start: ContinuousClock.Instant, show: Bool) async -> [BenchResults.Sample] {
        var samples: [BenchResults.Sample] = [.init(seconds: 0, value: 0)]
        var readings: [(seconds: Double, values: Int)] = [(0, 0)]
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(250)) } catch { break }
            let seconds = (ContinuousClock.now - start).seconds
            let values = acknowledged.load(ordering: .relaxed)
            readings.append((seconds, values))
            let base = readings.last { $0.seconds <= seconds - 1 } ?? readings[0]
            samples.append(.init(seconds: seconds, value: Double(values - base.values) / max(seconds - base.seconds, 1e-9)))
            if show { draw(system: system, values: values, seconds: seconds) }
        }
        return samples
    }

    private func draw(system: String, values: Int, seconds: Double) {
        let fraction = total > 0 ? min(1, Double(values) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Format.count(Int(Double(values) / max(seconds, 1e-9)))
        StandardError.write("\r\u{1B}[K\(system) [" + String(repeating: "#", count: filled)
            + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))% \(rate) values/s")
    }

    func finish(show: Bool) {
        if show { StandardError.write("\r\u{1B}[K") }
    }
}

/// The resident memory of a server the run started, every 500 ms until stopped.
final class MemorySampler: Sendable {
    let pid: Int32
    private let state = Mutex<(samples: [BenchResults.Sample], task: Task<Void, Never>?)>(([], nil))
    private let started = ContinuousClock.now

    init(pid: Int32) {
        self.pid = pid
    }

    func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                if let memory = ProcessSampler.memory(pid: pid) {
                    let sample = BenchResults.Sample(seconds: (ContinuousClock.now - started).seconds, value: Double(memory.rss))
                    state.withLock { $0.samples.append(sample) }
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        state.withLock { $0.task = task }
    }

    func stop() {
        state.withLock { $0.task }?.cancel()
    }

    var samples: [BenchResults.Sample] { state.withLock { $0.samples } }
}
