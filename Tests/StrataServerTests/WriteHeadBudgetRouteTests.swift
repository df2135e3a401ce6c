import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataServer
import Testing

/// A write refused by `cache-max-memory-size` is a 503 with InfluxDB's error text, and
/// writes nothing: the client may send it again.
@Suite struct WriteHeadBudgetRouteTests {
    @Test func aFullHeadIsA503NamingTheLimit() async throws {
        let fs = FaultInjectingFileSystem()
        var options = EngineOptions()
        options.flushThresholdBytes = 1 << 30
        options.backgroundCompaction = false
        options.maxHeadBytes = 1_000
        options.headFullWaitSeconds = 0.1
        let engine = try await StorageEngine.open(directory: "/data", options: options, fileSystem: fs)
        try await engine.createDatabase("robots")
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), services: .defaults(engine: engine)))
        let body = (0..<100).map { "robot,device_id=r1 battery=\($0) \($0)" }.joined(separator: "\n")
        // No flush can finish: the first write's own background flush would otherwise make room.
        fs.fail("rename")
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/write?db=robots", method: .post, body: ByteBuffer(string: body))
            #expect(first.status == .noContent)
            let second = try await client.execute(uri: "/write?db=robots", method: .post,
                                                  body: ByteBuffer(string: "robot,device_id=r1 battery=1 1000"))
            #expect(second.status == .serviceUnavailable)
            #expect(String(buffer: second.body).contains("cache-max-memory-size exceeded: ("))
        }
        fs.heal()
        await #expect(try engine.scan(database: "robots", measurement: "robot").first?.count == 100)
    }
}
