@testable import StrataCore
import Testing

@Suite("Change feed wait")
struct ChangeFeedWaitTests {
    @Test func cancelledWaitReturnsWithoutACommit() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("db")
        let waiter = Task { await engine.waitForChanges(after: engine.appliedSequence) }
        try await Task.sleep(nanoseconds: 20_000_000)
        waiter.cancel()
        let returned = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await waiter.value; return true }
            group.addTask { try? await Task.sleep(nanoseconds: 2_000_000_000); return false }
            let first = await group.next()!
            group.cancelAll()
            if !first {
                // Release a wait that ignored cancellation, so the test fails instead of hanging.
                let point = Point(measurement: "m", fields: [Field("v", .float(1))], timestamp: 1)
                _ = try? await engine.write(WriteBatch(database: "db", points: [point]))
            }
            await group.waitForAll()
            return first
        }
        #expect(returned, "a cancelled wait returns without a commit")
        try await engine.close()
    }

    @Test func waitReturnsAtTheNextCommit() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("db")
        let before = engine.appliedSequence
        let waiter = Task { await engine.waitForChanges(after: before) }
        let point = Point(measurement: "m", fields: [Field("v", .float(1))], timestamp: 1)
        _ = try await engine.write(WriteBatch(database: "db", points: [point]))
        await waiter.value
        #expect(try await engine.readChanges(after: before)?.count == 1)
        try await engine.close()
    }
}
