@testable import StrataCore
import Testing

/// `cache-max-memory-size` (`EngineOptions.maxHeadBytes`): a write arriving while the head
/// holds its budget waits for a flush to make room, and fails with InfluxDB's error when
/// none does in time, writing nothing.
@Suite struct HeadBudgetTests {
    static func options(budget: Int, wait: Double) -> EngineOptions {
        var options = EngineOptions.forTests
        options.maxHeadBytes = budget
        options.headFullWaitSeconds = wait
        return options
    }

    static func points(_ range: Range<Int>) -> WriteBatch {
        WriteBatch(database: "db", points: range.map { robotPoint(device: 1, second: Int64($0), battery: 1) })
    }

    @Test func aWriteAboveTheBudgetWaitsForAFlushThatMakesRoom() async throws {
        let engine = try await StorageEngine.open(directory: "/d", options: Self.options(budget: 2_000, wait: 30),
                                            fileSystem: InMemoryFileSystem())
        _ = try await engine.write(Self.points(0..<100))
        #expect(engine.headBytesHeld >= 2_000)
        // The head is over its budget: this write starts a flush and goes in after it.
        let result = try await engine.write(Self.points(100..<101))
        #expect(result.accepted == 1)
        #expect(engine.stats().segmentCount == 1)
        await #expect(try engine.scan(database: "db", measurement: "robot").first?.count == 101)
        try await engine.close()
    }

    @Test func aWriteFailsWithInfluxDBsErrorWhenNoFlushMakesRoom() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await StorageEngine.open(directory: "/d", options: Self.options(budget: 2_000, wait: 0.2), fileSystem: fs)
        // No flush can finish: the first write's own background flush would otherwise make room.
        fs.fail("rename")
        _ = try await engine.write(Self.points(0..<100))
        let held = engine.headBytesHeld
        await #expect {
            _ = try await engine.write(Self.points(100..<101))
        } throws: { error in
            "\(error)" == "cache-max-memory-size exceeded: (\(held)/2000)"
        }
        fs.heal()
        await #expect(try engine.scan(database: "db", measurement: "robot").first?.count == 100, "nothing of the refused write")
    }

    @Test func noBudgetNeverWaits() async throws {
        let engine = try await StorageEngine.open(directory: "/d", options: Self.options(budget: 0, wait: 0),
                                            fileSystem: InMemoryFileSystem())
        for k in 0..<5 { _ = try await engine.write(Self.points(k * 100..<(k + 1) * 100)) }
        #expect(engine.stats().segmentCount == 0)
        try await engine.close()
    }
}
