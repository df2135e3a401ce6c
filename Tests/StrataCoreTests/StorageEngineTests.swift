import Dispatch
import Testing
@testable import StrataCore
import StrataTestSupport

@Suite struct StorageEngineTests {
    static let dir = "/data"

    static func open(_ fs: any FileSystem, options: EngineOptions = .forTests) throws -> StorageEngine {
        try StorageEngine.open(directory: dir, options: options, fileSystem: fs)
    }

    static func batteries(_ rows: SeriesRows) -> [Double?] {
        let column = rows.columns["battery"]!
        return (0..<rows.count).map { column.value(at: $0).flatMap { if case .float(let v) = $0 { v } else { nil } } }
    }

    @Test func writeThenScanMergesHeadAndSegmentsAcrossReopen() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        for s in 0..<10 {
            _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: Int64(s), battery: 90 - Double(s) / 10)]))
        }
        try await engine.flush()
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 10, battery: 88.9)]))
        try await engine.close()

        let reopened = try Self.open(fs)
        let rows = try await reopened.scan(database: "db", measurement: "robot")
        #expect(rows.count == 1)
        #expect(rows[0].count == 11)
        let expected: [Double?] = (0..<10).map { 90 - Double($0) / 10 } + [88.9]
        #expect(Self.batteries(rows[0]) == expected)
        #expect(reopened.stats().segmentCount == 1)
        #expect(reopened.databaseNames() == ["db"])
    }

    @Test func outOfOrderAndDuplicateTimestampsSortAndLaterWriteWinsPerField() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        let t: Int64 = 1_000
        func point(_ time: Int64, _ fields: [Field]) -> Point {
            Point(measurement: "m", tags: [Tag("d", "a")], fields: fields, timestamp: time)
        }
        _ = try await engine.write(WriteBatch(database: "db", points: [
            point(t + 2, [Field("x", .float(2))]),
            point(t, [Field("x", .float(0)), Field("y", .integer(7))]),
        ]))
        try await engine.flush()  // the first version of time t is now in a segment
        _ = try await engine.write(WriteBatch(database: "db", points: [
            point(t, [Field("x", .float(10))]),  // overwrites x at t, keeps y
            point(t + 1, [Field("x", .float(1))]),
        ]))
        let rows = try await engine.scan(database: "db", measurement: "m")[0]
        #expect(rows.timestamps == [t, t + 1, t + 2])
        #expect(rows.columns["x"]!.value(at: 0) == .float(10))
        #expect(rows.columns["y"]!.value(at: 0) == .integer(7))
        #expect(rows.columns["y"]!.value(at: 1) == nil)
        #expect(rows.columns["x"]!.value(at: 2) == .float(2))
    }

    @Test func fieldTypeConflictRejectsThatPointOnly() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 0, battery: 50)]))
        let bad = Point(measurement: "robot", tags: [Tag("device_id", "robot-2")], fields: [Field("battery", .integer(5))], timestamp: 5)
        let result = try await engine.write(WriteBatch(database: "db", points: [bad, robotPoint(device: 1, second: 1, battery: 49)]))
        #expect(result.accepted == 1)
        #expect(result.rejected == [PointRejection(index: 0, reason:
            "field type conflict: input field \"battery\" on measurement \"robot\" is type integer, already exists as type float")])
        await #expect(try engine.scan(database: "db", measurement: "robot").map(\.count) == [2])
    }

    @Test func tagPredicatesAndTimeRangesSelectSeriesAndRows() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        for device in 0..<4 {
            let points = (0..<20).map { robotPoint(device: device, second: Int64($0), battery: Double($0)) }
            _ = try await engine.write(WriteBatch(database: "db", points: points))
        }
        try await engine.flush()
        let north = try await engine.scan(database: "db", measurement: "robot", where: .equals("fleet", "north"))
        #expect(north.map { $0.key.tagValue("device_id") } == ["robot-0", "robot-2"])
        let base: Int64 = 1_704_067_200_000_000_000
        let window = try await engine.scan(database: "db", measurement: "robot", where: .isIn("device_id", ["robot-3"]),
                                     fields: ["battery"], range: (base + 5_000_000_000)...(base + 9_000_000_000))
        #expect(window.count == 1)
        #expect(Self.batteries(window[0]) == [5, 6, 7, 8, 9])
        #expect(window[0].columns.keys.sorted() == ["battery"])
    }

    @Test func crashKeepsEveryAcknowledgedWrite() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        var acknowledged: [Int64] = []
        for s in 0..<40 {
            _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 7, second: Int64(s), battery: Double(s))]))
            acknowledged.append(Int64(s))
            if s == 20 { try await engine.flush() }
        }
        fs.crash()  // no close: whatever was not synced is gone
        let reopened = try Self.open(fs)
        let rows = try await reopened.scan(database: "db", measurement: "robot")
        #expect(rows.first?.count == acknowledged.count)
    }

    @Test func failedSyncIsNotAcknowledgedAndNotVisible() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 0, battery: 1)]))
        fs.fail("fdatasync")
        await #expect(throws: (any Error).self) {
            _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 1, battery: 2)]))
        }
        await #expect(try engine.scan(database: "db", measurement: "robot").first?.count == 1)
    }

    @Test func changeFeedDeliversBatchesAfterASequence() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        var sequences: [UInt64] = []
        for s in 0..<5 {
            let r = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: Int64(s), battery: 1)]))
            sequences.append(r.sequence!)
        }
        let after = try await engine.readChanges(after: sequences[1])
        #expect(after?.map(\.sequence) == Array(sequences[2...]))
        #expect(after?.first?.series.first?.timestamps == [robotPoint(device: 1, second: 2, battery: 1).timestamp])
        #expect(after?.first?.series.first?.columns["battery"]?.value(at: 0) == .float(1))
        let waiter = Task { await engine.waitForChanges(after: sequences.last!) }
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 9, battery: 1)]))
        await waiter.value
    }

    @Test func writesContinueWhileAFlushRuns() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        let first = (0..<2_000).map { robotPoint(device: $0 % 10, second: Int64($0 / 10), battery: Double($0)) }
        _ = try await engine.write(WriteBatch(database: "db", points: first))
        async let flushing: Void = engine.flush()
        for s in 200..<220 {
            _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 0, second: Int64(s), battery: 0)]))
        }
        try await flushing
        let rows = try await engine.scan(database: "db", measurement: "robot", where: .equals("device_id", "robot-0"))
        #expect(rows.first?.count == 220)
    }

    @Test func createdDatabasesSurviveRestart() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await engine.createDatabase("robots")
        #expect(throws: EngineError.self) { try engine.createDatabase("a/b") }
        try await engine.close()
        #expect(try Self.open(fs).databaseNames() == ["robots"])
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefused() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        #expect(throws: EngineError.self) { _ = try Self.open(fs) }
        try await engine.close()
        let again = try Self.open(fs)
        try await again.close()
    }
}

@Suite struct FlushPolicyTests {
    @Test func aQuietHeadIsFlushedOnceItIsOldEnough() async throws {
        var options = EngineOptions.forTests
        // The age is read on the engine's clock, which moves only when the test moves it.
        let clock = ManualClock(1_704_067_200_000_000_000)
        options.clock = clock
        options.flushMaxAgeSeconds = 1  // the watcher then looks every 0.1 s
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 0, battery: 1)]))
        try await Task.sleep(for: .milliseconds(300))
        #expect(engine.stats().segmentCount == 0, "younger than its age threshold, the head stays")
        clock.advance(by: 2_000_000_000)
        // No further writes: only the watcher can flush. Bounded wait: 60 s, because the
        // watcher is a task on the cooperative pool, which the suite's CPU-heavy model tests
        // can keep busy for seconds on a 2-core machine; alone it flushes within 0.2 s.
        #expect(try await eventually(timeout: .seconds(60)) { engine.stats().segmentCount == 1 })
        #expect(engine.stats().headRows == 0)
        try await engine.close()
    }

    @Test func theHeadIsFlushedPastItsSizeThreshold() async throws {
        var options = EngineOptions.forTests
        options.flushThresholdBytes = 10_000
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        let points = (0..<500).map { robotPoint(device: $0 % 5, second: Int64($0), battery: 1) }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        // 60 s for the same reason as the age test above; alone it flushes within 0.3 s.
        #expect(try await eventually(timeout: .seconds(60)) { engine.stats().segmentCount == 1 })
        await #expect(try engine.scan(database: "db", measurement: "robot").reduce(0) { $0 + $1.count } == 500)
        try await engine.close()
    }
}

extension FlushPolicyTests {
    /// A head frozen by a flush still running is that flush's work: the next write's check
    /// (or the age watcher's) must not start another flush, which would cut the fresh head
    /// into a small segment (seen when a slow flush met the watcher's tick).
    @Test func aFlushInProgressDoesNotStartAnother() async throws {
        let fs = TrippingFileSystem()
        let reached = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        fs.tripping = { operation, path in
            if operation == "rename", path.contains("/segments/") { reached.signal(); release.wait() }
            return false
        }
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: fs)
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 0, battery: 1)]))
        let flushing = Task { try await engine.flush() }
        // The flush thread now holds the frozen head, parked before its segment's rename.
        await withCheckedContinuation { done in DispatchQueue.global().async { reached.wait(); done.resume() } }
        fs.tripping = nil
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 1, battery: 1)]))
        engine.maybeStartFlush()
        #expect(engine.state.withLock { !$0.autoFlushRunning })
        release.signal()
        try await flushing.value
        #expect(engine.stats().segmentCount == 1)
        #expect(engine.stats().headRows == 1)
        try await engine.close()
    }
}

@Suite struct FlushFailureTests {
    @Test func aFailedFlushKeepsDataReadableAndALaterFlushWritesEverything() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: fs)
        _ = try await engine.write(WriteBatch(database: "db", points: (0..<10).map { robotPoint(device: 1, second: Int64($0), battery: 1) }))
        fs.fail("rename")
        await #expect(throws: FileSystemError.self) { try await engine.flush() }
        fs.heal()
        // The frozen head is still read, and ingest goes on.
        _ = try await engine.write(WriteBatch(database: "db", points: (10..<20).map { robotPoint(device: 1, second: Int64($0), battery: 1) }))
        await #expect(try engine.scan(database: "db", measurement: "robot").first?.count == 20)
        try await engine.flush()
        #expect(engine.stats().segmentCount == 2)
        #expect(engine.stats().headRows == 0)
        fs.crash()
        let reopened = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: fs)
        await #expect(try reopened.scan(database: "db", measurement: "robot").first?.count == 20)
    }
}

@Suite struct WALRetentionTests {
    @Test func flushedWALFilesExpireWithoutAnotherFlush() async throws {
        var options = EngineOptions.forTests
        // The engine's clock stands still until the test moves it: a flush however slow
        // (the machine is loaded, the flush thread shared) cannot age the file meanwhile.
        let clock = ManualClock(1_704_067_200_000_000_000)
        options.clock = clock
        // Threads of its own all the same: on the shared flush thread the watcher's removal
        // could wait behind other tests' large flushes and compactions.
        let threads = EngineThreads(prefix: "wal-retention")
        defer { threads.shutdown() }
        options.threads = threads
        options.walRetentionSeconds = 5
        options.flushMaxAgeSeconds = 1  // the watcher then runs every 0.1 s
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 0, battery: 1)]))
        try await engine.flush()
        #expect(engine.stats().walFiles == 2, "the flushed file is retained at first")
        #expect(try await engine.readChanges(after: 0)?.count == 1)
        clock.advance(by: 4_000_000_000)
        try await Task.sleep(for: .milliseconds(300))
        #expect(engine.stats().walFiles == 2, "inside its window (4 of 5 s) the file stays")
        clock.advance(by: 2_000_000_000)
        #expect(try await eventually(timeout: .seconds(30)) { engine.stats().walFiles == 1 },
                "past its window the watcher removes it without another flush")
        try await engine.close()
    }
}
