import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the workload against one system: create the database, ingest every batch over
/// `connections` connections, flush and let the disk settle, then time each query.
struct BenchRunner: Sendable {
    var batches: [BenchBatch]
    var window: BenchWindow
    var connections: Int
    var queryRuns: Int
    var showProgress: Bool

    func run(_ system: BenchSystem, server: BenchServer?) async -> BenchResults.System {
        var result = BenchResults.System(name: system.kind, url: system.baseURL.absoluteString, local: server != nil)
        let sampler = server.map { MemorySampler(pid: $0.pid) }
        sampler?.start()
        do {
            try await system.prepare()
            try await ingest(system, server: server, into: &result)
            try await system.flush()
            if let server { await settle(server, into: &result) }
            result.queries = try await queries(system)
        } catch {
            result.error = "\(error)"
        }
        if let sampler {
            sampler.stop()
            result.rss = sampler.samples
            result.peakRSSBytes = ProcessSampler.memory(pid: server!.pid)?.peak ?? sampler.samples.map { Int($0.value) }.max()
        }
        return result
    }

    private func ingest(_ system: BenchSystem, server: BenchServer?, into result: inout BenchResults.System) async throws {
        let session = BenchHTTP.session(connections: connections)
        defer { session.finishTasksAndInvalidate() }
        let progress = IngestTally(total: batches.reduce(0) { $0 + $1.values })
        let cpuBefore = server.flatMap { ProcessSampler.cpuSeconds(pid: $0.pid) }
        let started = ContinuousClock.now
        let monitor = Task { await progress.watch(system: system.kind.rawValue, since: started, show: showProgress) }
        let batches = self.batches
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    while true {
                        let i = progress.claimBatch()
                        guard i < batches.count else { return }
                        try await Self.send(batches[i], to: system, session: session)
                        progress.add(batches[i].values)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - started).seconds
        monitor.cancel()
        result.ingestRate = await monitor.value
        progress.finish(show: showProgress)
        result.ingestSeconds = elapsed
        result.valuesPerSecond = Double(progress.total) / max(elapsed, 1e-9)
        if let server, let before = cpuBefore, let after = ProcessSampler.cpuSeconds(pid: server.pid) {
            result.serverCPUSeconds = after - before
            result.valuesPerCPUSecond = Double(progress.total) / max(after - before, 1e-9)
        }
    }

    /// One batch, retried with backoff (0.5, 1, 2, 4, 8 s) when the server refuses or drops it.
    private static func send(_ batch: BenchBatch, to system: BenchSystem, session: URLSession) async throws {
        var attempt = 0
        while true {
            do {
                let reply = try await BenchHTTP.post(system.baseURL, system.writePath, body: batch.body, session: session)
                if (200..<300).contains(reply.status) { return }
                if attempt == 5 { throw system.failure("write", reply) }
            } catch let error as BenchServer.Failure {
                throw error
            } catch {
                if attempt == 5 { throw error }
            }
            try await Task.sleep(for: .milliseconds(500 << attempt))
            attempt += 1
        }
    }

    /// Waits at least the system's minimum, then until the data directory's size stays the
    /// same over three polls two seconds apart; five minutes at the most.
    private func settle(_ server: BenchServer, into result: inout BenchResults.System) async {
        let started = ContinuousClock.now
        var last = (apparent: -1, allocated: -1)
        var stable = 0
        while ContinuousClock.now - started < .seconds(300) {
            try? await Task.sleep(for: .seconds(2))
            let size = ProcessSampler.directoryBytes(server.storageDirectory)
            stable = size == last ? stable + 1 : 0
            last = size
            if ContinuousClock.now - started >= server.system.settleMinimum, stable >= 2 { break }
        }
        result.settleSeconds = (ContinuousClock.now - started).seconds
        result.diskBytes = last.apparent
        result.diskAllocatedBytes = last.allocated
        result.bytesPerValue = Double(last.apparent) / Double(max(1, batches.reduce(0) { $0 + $1.values }))
    }

    private func queries(_ system: BenchSystem) async throws -> [BenchResults.Query] {
        var out: [BenchResults.Query] = []
        for query in system.queries(window) {
            var runs: [Double] = []
            var answer = BenchAnswer()
            for run in 0...queryRuns {
                let started = ContinuousClock.now
                let reply = try await BenchHTTP.get(system.baseURL, query.path)
                let milliseconds = (ContinuousClock.now - started).seconds * 1_000
                guard reply.status == 200 else { throw system.failure(query.id.rawValue, reply) }
                if run == 0 {
                    answer = try system.answer(reply.body)  // the warm-up run: answered, not timed
                } else {
                    runs.append(milliseconds)
                }
            }
            out.append(BenchResults.Query(id: query.id, text: query.text, p50Milliseconds: Self.percentile(runs, 0.5),
                                          p99Milliseconds: Self.percentile(runs, 0.99), runsMilliseconds: runs, answer: answer))
        }
        return out
    }

    /// Nearest rank: with ten runs, p50 is the fifth fastest and p99 the slowest.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }
}

/// One request body of the workload and how many field values it carries.
struct BenchBatch: Sendable {
    var body: Data
    var values: Int
}
