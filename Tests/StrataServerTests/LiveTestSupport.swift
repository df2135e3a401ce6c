import Foundation
import Logging
import NIOCore
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

/// A hub over a fresh in-memory engine with its fan-out running, for one test.
final class LiveFixture: Sendable {
    let engine: StorageEngine
    let hub: LiveHub
    let clock: ManualLiveClock
    let fileSystem: InMemoryFileSystem
    private let runner: Task<Void, Never>

    static let t0: Int64 = 1_704_067_200_000_000_000

    init(configuration: LiveConfiguration = LiveConfiguration(), options: EngineOptions = EngineOptions(),
         fileSystem: InMemoryFileSystem = InMemoryFileSystem(), now: Int64 = LiveFixture.t0) throws {
        self.fileSystem = fileSystem
        engine = try StorageEngine.open(directory: "/data", options: options, fileSystem: fileSystem)
        try? engine.createDatabase("robots")
        clock = ManualLiveClock(now: now)
        var configuration = configuration
        configuration.clock = clock
        let hub = LiveHub(engine: engine, configuration: configuration, metrics: StrataMetrics(),
                          logger: Logger(label: "strata.test.live"))
        self.hub = hub
        runner = Task { try? await hub.run() }
    }

    /// Stops the hub and closes the engine.
    func shutdown() async throws {
        runner.cancel()
        await runner.value
        try await engine.close()
    }

    func client(_ principal: Principal = .open) -> LiveClient {
        LiveClient(hub.open(ConnectionInfo(remoteAddress: "127.0.0.1:5000", userAgent: "test", subprotocol: "strata.v1"),
                            principal: principal))
    }

    /// Writes one point per (device, second, battery); returns the batch's sequence.
    @discardableResult
    func write(_ points: [(device: Int, second: Int64, battery: Double)], measurement: String = "robot") async throws -> UInt64 {
        let batch = WriteBatch(database: "robots", points: points.map { p in
            Point(measurement: measurement, tags: [Tag("device_id", Self.device(p.device)), Tag("fleet", p.device % 2 == 0 ? "a" : "b")],
                  fields: [Field("battery", .float(p.battery))], timestamp: Self.t0 + p.second * 1_000_000_000)
        })
        return try #require(try await engine.write(batch).sequence)
    }

    /// `robot-0001` style.
    static func device(_ n: Int) -> String { String(format: "robot-%04d", n) }
}

/// One connection driven like the transport would: messages in, outbound messages popped
/// when its sink is rung, with a bounded wait.
final class LiveClient: Sendable {
    let connection: LiveConnection
    private let sink = TestSink()
    private let pending = Mutex<[LiveOutbound]>([])

    init(_ connection: LiveConnection) {
        self.connection = connection
        connection.attach(sink)
    }

    func send(_ json: String) async { connection.receive(json) }

    /// Whether a `nextOutbound` is parked on the empty queue.
    var isWaiting: Bool { sink.bell.hasWaiter }

    /// The next outbound message; nil once the connection is finished (its close popped or
    /// its socket gone).
    func nextOutbound() async -> LiveOutbound? {
        while true {
            if let item = connection.popOutbound() { return item }
            if connection.isFinished || Task.isCancelled { return nil }
            await sink.bell.wait()
        }
    }

    /// The next outbound message, or nil if none comes within `seconds` (generous: the
    /// wait ends as soon as a message comes, and a loaded 2-core machine can stall for seconds).
    func next(within seconds: Double = 20) async -> LiveOutbound? {
        if let held = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return held }
        return await withTaskGroup(of: LiveOutbound?.self) { group in
            group.addTask { await self.nextOutbound() }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // A message popped as the timeout came is kept for the next call, not lost.
            for await late in group { if let late { pending.withLock { $0.append(late) } } }
            return first
        }
    }

    /// The next text message as JSON.
    func message(within seconds: Double = 20) async throws -> [String: LiveJSON] {
        let outbound = try #require(await next(within: seconds), "no message within \(seconds) s")
        guard case .text(let buffer) = outbound else {
            Issue.record("expected a text message, got \(outbound)")
            return [:]
        }
        let value = try JSONDecoder().decode(LiveJSON.self, from: Data(buffer.readableBytesView))
        guard case .object(let object) = value else { throw TestError("not an object: \(String(buffer: buffer))") }
        return object
    }

    /// Messages until one satisfies `stop` (included), at most `limit` of them.
    func messages(until stop: ([String: LiveJSON]) -> Bool, limit: Int = 10_000,
                  within seconds: Double = 20) async throws -> [[String: LiveJSON]] {
        var out: [[String: LiveJSON]] = []
        for _ in 0..<limit {
            let m = try await message(within: seconds)
            out.append(m)
            if stop(m) { return out }
        }
        throw TestError("no stop message within \(limit) messages")
    }
}

/// Rings a doorbell for each wake-up; the client pops on its own task.
final class TestSink: OutboundSink {
    let bell = Doorbell()

    func outboundReady() { bell.ring() }
}


extension Dictionary where Key == String, Value == LiveJSON {
    var type: String? { if case .string(let s)? = self["type"] { return s } else { return nil } }
    var seq: UInt64? { if case .integer(let n)? = self["seq"] { return UInt64(n) } else { return nil } }
    var string: (String) -> String? { { key in if case .string(let s)? = self[key] { return s } else { return nil } } }

    /// The (device, time, battery) rows of a data message, in message order.
    var rows: [(device: String, time: Int64, battery: Double?)] {
        guard case .array(let series)? = self["series"] else { return [] }
        var out: [(String, Int64, Double?)] = []
        for case .object(let s) in series {
            guard case .object(let tags)? = s["tags"], case .string(let device)? = tags["device_id"],
                  case .array(let columns)? = s["columns"], case .array(let values)? = s["values"] else { continue }
            let batteryIndex = columns.firstIndex(of: .string("battery"))
            for case .array(let row) in values {
                guard case .integer(let t) = row[0] else { continue }
                var battery: Double?
                if let i = batteryIndex {
                    switch row[i] {
                    case .number(let d): battery = d
                    case .integer(let n): battery = Double(n)
                    default: battery = nil
                    }
                }
                out.append((device, t, battery))
            }
        }
        return out
    }
}
