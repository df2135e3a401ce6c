import Dispatch
import Foundation
import Synchronization
import Testing
@testable import StrataCore

/// Issue 12, "Isolation": flushes, compactions and blocking I/O run on threads of their own
/// (`EngineThreads`), never on Swift's cooperative pool, and manifest saves do not hold the
/// engine lock. Each test holds one file operation of the work under test inside a
/// fault-injecting file system's hook, and checks what the rest of the process does while
/// it is held: behaviour, not timing (the deadlines only turn a regression into a failure
/// instead of a hang).
@Suite(.serialized) struct IsolationTests {
    typealias F = CompactionFixture

    /// How long a held operation waits for the test before giving up (a regression).
    static let deadline: TimeInterval = 60

    /// Options with pools of their own, so a held operation stalls no other test's engine.
    static func options(_ threads: EngineThreads) -> EngineOptions {
        var options = F.options()
        options.walSegmentBytes = 64 << 20
        options.threads = threads
        return options
    }

    /// `points` robot points over `series` series, one per second per series.
    static func batches(points: Int, series: Int = 100, batch: Int = 10_000, from second: Int64 = 0) -> [WriteBatch] {
        stride(from: 0, to: points, by: batch).map { start in
            WriteBatch(database: "a", points: (start..<min(points, start + batch)).map { i in
                Point(measurement: "m", tags: [Tag("dev", "d\(i % series)")],
                      fields: [Field("x", .float(Double(i % 1_000) / 4)), Field("y", .integer(Int64(i)))],
                      timestamp: (second + Int64(i / series)) * 1_000_000_000)
            })
        }
    }

    @Test func aPoolRunsItsWorkOnItsOwnThreads() async throws {
        let pool = BlockingWorkPool(threads: 2, name: "test-pool")
        defer { pool.shutdown() }
        #expect(!pool.isCurrentThread)
        let inside = await pool.run { pool.isCurrentThread }
        #expect(inside)
        let task = Task(executorPreference: pool) {
            var seen: [Bool] = []
            for _ in 0..<3 {
                seen.append(pool.isCurrentThread)
                try? await Task.sleep(for: .milliseconds(1))
            }
            return seen
        }
        #expect(await task.value == [true, true, true], "a task preferring the pool resumes on it after a sleep")
        await #expect(throws: CancellationError.self) { try await pool.run { throw CancellationError() } }
    }

    /// `forEach` runs items on the caller and the pool at once: two items that each wait
    /// for the other to start can only both finish if they run side by side.
    @Test func forEachRunsItemsOnTheCallerAndThePoolTogether() async throws {
        let pool = BlockingWorkPool(threads: 1, name: "test-foreach")
        defer { pool.shutdown() }
        let result = await Task.detached {
            let arrivals = StartCount()
            let second = DispatchSemaphore(value: 0)
            let onPool = Mutex<[Bool]>([false, false])
            let met = Mutex<[Bool]>([false, false])
            pool.forEach(2) { i in
                onPool.withLock { $0[i] = pool.isCurrentThread }
                // The first item to arrive waits for the second; run one after the other,
                // it would wait in vain.
                let together: Bool
                if arrivals.count.add(1, ordering: .relaxed).newValue == 2 {
                    second.signal()
                    together = true
                } else {
                    together = second.wait(timeout: .now() + Self.deadline) == .success
                }
                met.withLock { $0[i] = together }
            }
            return (onPool.withLock { $0 }, met.withLock { $0 })
        }.value
        #expect(result.1 == [true, true], "both items ran at the same time")
        #expect(result.0.filter { $0 }.count == 1, "one item on the pool's thread, one on the caller's")
        var squares = [Int](repeating: 0, count: 1_000)
        squares.withUnsafeMutableBufferPointer { buffer in
            let out = SendableBuffer(buffer: buffer)
            pool.forEach(1_000) { i in out.buffer[i] = i * i }
        }
        #expect(squares == (0..<1_000).map { $0 * $0 })
    }

    /// A flush of a 1 M-row head: its segment's fsync is held until a task on the
    /// cooperative pool has taken `steps` steps, with every cooperative thread but one
    /// blocked. Were the flush on the cooperative pool, no thread would be left for that
    /// task and the hold would time out.
    @Test func aFlushLeavesTheCooperativePoolFree() async throws {
        let threads = EngineThreads(prefix: "iso-flush")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        let engine = try F.open(fs, options: Self.options(threads))
        for batch in Self.batches(points: 1_000_000) { _ = try await engine.write(batch) }
        let probe = CooperativeProbe(steps: 1_000, deadline: Self.deadline)
        fs.onOperation { operation, path in
            guard operation == "fdatasync", path.hasSuffix(".seg.tmp") else { return }
            probe.hold(onPool: threads.flush)
        }
        let flushing = Task { try await engine.flush() }
        let observed = await probe.runWhileHeld()
        try await flushing.value
        fs.onOperation(nil)
        #expect(observed.onPool, "the segment was synced on the flush thread")
        #expect(observed.steps >= 1_000, "the cooperative pool ran while the flush was held")
        let rows = try await engine.scan(database: "a", measurement: "m").reduce(0) { $0 + $1.count }
        #expect(rows == 1_000_000)
        #expect(engine.stats().headRows == 0 && engine.stats().segmentCount == 1)
        try await engine.close()
    }

    /// The same for a compaction: three flushed segments over several partitions, the
    /// compacted segment's fsync held on the compaction thread.
    @Test func aCompactionLeavesTheCooperativePoolFree() async throws {
        let threads = EngineThreads(prefix: "iso-compact")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        let engine = try F.open(fs, options: Self.options(threads))
        for part in 0..<3 {
            for batch in Self.batches(points: 200_000, from: Int64(part) * 1_800) { _ = try await engine.write(batch) }
            try await engine.flush()
        }
        let before = try F.contents(engine, databases: ["a"], measurements: ["m"])
        let probe = CooperativeProbe(steps: 1_000, deadline: Self.deadline)
        fs.onOperation { operation, path in
            guard operation == "fdatasync", path.hasSuffix(".seg.tmp") else { return }
            probe.hold(onPool: threads.compaction)
        }
        let compacting = Task { try await engine.compact() }
        let observed = await probe.runWhileHeld()
        let report = try await compacting.value
        fs.onOperation(nil)
        #expect(observed.onPool, "the compacted segment was synced on the compaction thread")
        #expect(observed.steps >= 1_000, "the cooperative pool ran while the compaction was held")
        #expect(report.partitionsWritten > 1 && report.segmentsMerged == 3)
        #expect(try F.contents(engine, databases: ["a"], measurements: ["m"]) == before)
        try await engine.close()
    }

    /// While a flush's manifest save is held inside its fsync, a write is acknowledged and
    /// applied and a scan sees it: the save does not hold the engine lock.
    @Test func aManifestSaveDoesNotHoldTheEngineLock() async throws {
        let threads = EngineThreads(prefix: "iso-manifest")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        let engine = try F.open(fs, options: Self.options(threads))
        for batch in Self.batches(points: 20_000) { _ = try await engine.write(batch) }
        let hold = Hold(deadline: Self.deadline)
        let held = Atomic<Bool>(false)
        fs.onOperation { operation, path in
            guard operation == "fdatasync", path.hasSuffix("MANIFEST.json.tmp"),
                  !held.exchange(true, ordering: .relaxed) else { return }
            hold.block()
        }
        let flushing = Task { try await engine.flush() }
        await hold.entered()
        // Held: the segment is written, its manifest not yet durable. A new database too.
        // (The write sees the frozen head and queues a background flush behind this one.)
        let written = try await engine.write(WriteBatch(database: "c", points: [
            Point(measurement: "m", tags: [Tag("dev", "new")], fields: [Field("x", .float(1))], timestamp: 5)]))
        let newRows = try await engine.scan(database: "c", measurement: "m")
        let oldRows = try await engine.scan(database: "a", measurement: "m").reduce(0) { $0 + $1.count }
        let stats = engine.stats()
        let released = hold.release()
        try await flushing.value
        fs.onOperation(nil)
        #expect(released, "the write and the scan completed while the manifest save was held")
        #expect(written.sequence != nil && newRows.first?.count == 1)
        #expect(oldRows == 20_000, "the frozen head stays readable until its segment is published")
        #expect(stats.segmentCount == 0)
        #expect(engine.stats().segmentCount >= 1)
        // The database a write named during the save is kept when the save is published.
        #expect(engine.databaseNames().contains("c"))
        try await engine.close()
    }

    /// Saves are serialized in order: a `createDatabase` issued while a flush's save is held
    /// waits for it and then saves a manifest holding both; after a power loss both are there.
    @Test func aLaterSaveWaitsForAnEarlierOneAndKeepsWhatItPublished() async throws {
        let threads = EngineThreads(prefix: "iso-order")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        let engine = try F.open(fs, options: Self.options(threads))
        for batch in Self.batches(points: 5_000) { _ = try await engine.write(batch) }
        let hold = Hold(deadline: Self.deadline)
        let saves = Mutex<[String]>([])
        fs.onOperation { operation, path in
            guard operation == "fdatasync", path.hasSuffix("MANIFEST.json.tmp") else { return }
            let first = saves.withLock { s in
                s.append(Thread.current.name ?? "?")
                return s.count == 1
            }
            if first { hold.block() }
        }
        let flushing = Task { try await engine.flush() }
        await hold.entered()
        let creating = Task.detached { try await engine.createDatabase("later") }
        // `createDatabase` queues behind the held save: it cannot have saved yet.
        try await Task.sleep(for: .milliseconds(50))
        #expect(saves.withLock { $0.count } == 1)
        #expect(hold.release())
        try await flushing.value
        try await creating.value
        fs.onOperation(nil)
        #expect(saves.withLock { $0.count } == 2)
        fs.crash()
        let reopened = try F.open(fs, options: Self.options(threads))
        #expect(reopened.databaseNames().contains("later"))
        #expect(reopened.stats().segmentCount == 1)
        await #expect(try reopened.scan(database: "a", measurement: "m").reduce(0) { $0 + $1.count } == 5_000)
    }

    /// File numbers a compaction reserves while a flush's manifest save is held survive that
    /// save's publication: the next flush does not reuse (overwrite) a compacted file.
    @Test func fileNumbersReservedDuringASaveAreNotReused() async throws {
        let threads = EngineThreads(prefix: "iso-numbers")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        let engine = try F.open(fs, options: Self.options(threads))
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2 {
            _ = try await engine.write(F.randomBatch(&rng, db: "a", hours: 3, points: 500))
            try await engine.flush()
        }
        _ = try await engine.write(F.randomBatch(&rng, db: "b", hours: 3, points: 500))
        let hold = Hold(deadline: Self.deadline)
        let held = Atomic<Bool>(false)
        fs.onOperation { operation, path in
            guard operation == "fdatasync", path.hasSuffix("MANIFEST.json.tmp"),
                  !held.exchange(true, ordering: .relaxed) else { return }
            hold.block()
        }
        let flushing = Task { try await engine.flush() }
        await hold.entered()
        let numberBefore = engine.state.withLock { $0.manifest.nextSegmentNumber }
        // The compaction writes its files meanwhile (reserving numbers), then its manifest
        // save queues behind the held one.
        let compacting = Task { try await engine.compact() }
        while engine.state.withLock({ $0.manifest.nextSegmentNumber }) == numberBefore {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(hold.release())
        try await flushing.value
        _ = try await compacting.value
        #expect(engine.state.withLock { $0.manifest.nextSegmentNumber } > numberBefore)
        fs.onOperation(nil)
        _ = try await engine.write(F.randomBatch(&rng, db: "a", hours: 3, points: 500))
        try await engine.flush()
        let before = try F.contents(engine)
        let files = engine.state.withLock { s in s.manifest.segments.map(\.file) + s.manifest.tiers.map(\.file) }
        #expect(Set(files).count == files.count)
        fs.crash()
        let reopened = try F.open(fs, options: Self.options(threads))
        #expect(try F.contents(reopened) == before)
    }

    /// A subscriber resuming from before what memory holds reads the WAL on the I/O thread.
    @Test func readChangesReadsTheWALOnTheIOThread() async throws {
        let threads = EngineThreads(prefix: "iso-io")
        defer { threads.shutdown() }
        let fs = FaultInjectingFileSystem()
        var options = Self.options(threads)
        options.walRetentionSeconds = 3_600
        let engine = try F.open(fs, options: options)
        for batch in Self.batches(points: 300, batch: 100) { _ = try await engine.write(batch) }
        try await engine.close()
        let reopened = try F.open(fs, options: options)
        let readers = Mutex<[Bool]>([])
        fs.onOperation { operation, path in
            guard operation == "read", path.contains("/wal/") else { return }
            readers.withLock { $0.append(threads.io.isCurrentThread) }
        }
        let batches = try await reopened.readChanges(after: 0)
        fs.onOperation(nil)
        #expect(batches?.map(\.sequence) == [1, 2, 3])
        #expect(!readers.withLock { $0 }.isEmpty && readers.withLock { $0 }.allSatisfy { $0 })
        try await reopened.close()
    }
}

/// Holds a file operation (on the engine's thread) until the test releases it or the
/// deadline passes.
final class Hold: Sendable {
    private let deadline: TimeInterval
    private let gate = DispatchSemaphore(value: 0)
    private let state = Mutex<(entered: Bool, waiter: CheckedContinuation<Void, Never>?, released: Bool?)>((false, nil, nil))

    init(deadline: TimeInterval) { self.deadline = deadline }

    /// Marks the operation as reached and wakes the test waiting in `entered()`.
    func enter() {
        let waiter = state.withLock { s in
            s.entered = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// In the hook: `enter()`, then blocks the calling thread until `release()`.
    func block() {
        enter()
        let released = gate.wait(timeout: .now() + deadline) == .success
        state.withLock { $0.released = released }
    }

    /// Returns once an operation is held.
    func entered() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.entered { return true }
                s.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets the held operation go; false if it had already given up (the deadline passed).
    func release() -> Bool {
        let timedOut = state.withLock { $0.released == false }
        gate.signal()
        return !timedOut
    }
}

/// Counts steps of a task on the cooperative pool while an engine operation is held in a
/// file system hook, with every cooperative thread but one blocked.
final class CooperativeProbe: Sendable {
    struct Observed: Sendable {
        /// The held operation ran on the pool given to `hold(onPool:)`.
        var onPool = false
        /// Steps the task had taken when the hold ended (it ends at `steps`, or at the deadline).
        var steps = 0
        var recorded = false
    }

    private let target: Int
    private let deadline: TimeInterval
    private let reached = Hold(deadline: 0)
    private let steps = Atomic<Int>(0)
    private let observed = Mutex(Observed())
    private let taken = Atomic<Bool>(false)

    init(steps: Int, deadline: TimeInterval) {
        target = steps
        self.deadline = deadline
    }

    /// In the hook, on the engine's thread (the first call only): notes whether it is
    /// `pool`'s, then holds the operation until the probe's task has taken its steps (or the
    /// deadline passes) and records how many it saw.
    func hold(onPool pool: BlockingWorkPool) {
        guard !taken.exchange(true, ordering: .relaxed) else { return }
        let onPool = pool.isCurrentThread
        let started = Date()
        reached.enter()
        while steps.load(ordering: .relaxed) < target, Date().timeIntervalSince(started) < deadline {
            usleep(1_000)
        }
        let count = steps.load(ordering: .relaxed)
        observed.withLock { $0 = Observed(onPool: onPool, steps: count, recorded: true) }
    }

    /// Waits for the hold, blocks all cooperative threads but one, takes the steps
    /// (`Task.yield()`) on the remaining one, and returns what the hold observed.
    func runWhileHeld() async -> Observed {
        await reached.entered()
        let blockers = max(0, ProcessInfo.processInfo.activeProcessorCount - 1)
        let release = DispatchSemaphore(value: 0)
        let allStarted = Hold(deadline: 0)
        let started = StartCount()
        for _ in 0..<blockers {
            Task.detached { [deadline] in
                if started.count.add(1, ordering: .relaxed).newValue == blockers { allStarted.enter() }
                // Deliberately blocks a cooperative thread; bounded, so a regression cannot
                // hang, and longer than the hold, so a regression cannot count after it.
                _ = release.wait(timeout: .now() + deadline + 10)
            }
        }
        if blockers > 0 { await allStarted.entered() }
        for _ in 0..<target {
            steps.add(1, ordering: .relaxed)
            await Task.yield()
        }
        for _ in 0..<blockers { release.signal() }
        while true {
            let o = observed.withLock { $0 }
            if o.recorded { return o }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}

private final class StartCount: Sendable {
    let count = Atomic<Int>(0)
}

private struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int>
}
