import Foundation
import StrataCore
import Synchronization
import StrataTestSupport
import Testing

/// Kills a real `strata serve` with SIGKILL in the middle of concurrent ingest (and of a
/// flush), reopens its data directory, and checks the durability promise: every batch that
/// got a 204 is there whole, and no batch is there in part.
@Suite(.serialized) struct CrashRecoveryTests {
    static let linesPerBatch = 200
    static let writers = 4
    static let base: Int64 = 1_704_067_200_000_000_000

    static func body(batch: Int, writer: Int) -> Data {
        var text = ""
        for j in 0..<linesPerBatch {
            let time = base + Int64(batch) * 1_000 + Int64(j)
            text += "crash,writer=w\(writer) batch=\(batch)i,j=\(j)i,v=\(Double(j) / 4) \(time)\n"
        }
        return Data(text.utf8)
    }

    @Test func sigkillDuringIngestLosesNothingAcknowledged() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let create = try await HTTP.send("POST", "\(server.baseURL)/query?q=CREATE%20DATABASE%20crash")
        #expect(create.status == 200)

        let nextBatch = SharedCounter()
        let acknowledged = AcknowledgedBatches()
        // Generous: the suite runs this beside other server tests on 2 cores; on an idle machine
        // the kill comes after about a second.
        let stopAt = ContinuousClock.now + .seconds(60)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<Self.writers {
                group.addTask {
                    // Bounded in count and time; ends at the first failure (the kill).
                    while ContinuousClock.now < stopAt {
                        let batch = nextBatch.next()
                        guard batch < 5_000 else { return }
                        guard let answer = try? await HTTP.send("POST", "\(server.baseURL)/write?db=crash",
                                                                body: Self.body(batch: batch, writer: writer), timeout: 10),
                              answer.status == 204 else { return }
                        acknowledged.insert(batch)
                    }
                }
            }
            group.addTask {
                // Let some batches land, flush once (so segments and WAL both hold data),
                // keep writing, then pull the plug while writes are in flight.
                while acknowledged.count < 40 && ContinuousClock.now < stopAt {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                _ = try? await HTTP.send("POST", "\(server.baseURL)/flush", timeout: 30)
                let flushedAt = acknowledged.count
                while acknowledged.count < flushedAt + 40 && ContinuousClock.now < stopAt {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                server.kill()
            }
        }
        let acked = acknowledged.all
        #expect(acked.count >= 80, "too few batches were acknowledged to test anything: \(acked.count)")

        let engine = try await StorageEngine.open(directory: dir)
        defer { Task { try? await engine.close() } }
        var rowsPerBatch: [Int: Int] = [:]
        for series in try await engine.scan(database: "crash", measurement: "crash", fields: ["batch"]) {
            let column = try #require(series.columns["batch"])
            for row in 0..<series.count {
                if case .integer(let b)? = column.value(at: row) { rowsPerBatch[Int(b), default: 0] += 1 }
            }
        }
        for batch in acked {
            #expect(rowsPerBatch[batch] == Self.linesPerBatch, "acknowledged batch \(batch) has \(rowsPerBatch[batch] ?? 0) rows")
        }
        for (batch, rows) in rowsPerBatch {
            #expect(rows == Self.linesPerBatch, "batch \(batch) is half-present: \(rows) of \(Self.linesPerBatch) rows")
        }
        #expect(engine.stats().segmentCount >= 1, "the flush before the kill left no segment")
    }
}

final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

final class AcknowledgedBatches: Sendable {
    private let batches = Mutex<Set<Int>>([])
    func insert(_ batch: Int) { batches.withLock { _ = $0.insert(batch) } }
    var count: Int { batches.withLock { $0.count } }
    var all: Set<Int> { batches.withLock { $0 } }
}
