import Foundation
import StrataCore
import StrataQuery
import StrataTestSupport
import Testing
@testable import StrataServer

/// A client that goes away stops its query (docs/limits.md, "How a query is stopped"), over
/// real loopback sockets: a chunked answer whose reader stops reading and leaves, and a
/// whole answer whose client closes while it is computed. Observed through the query
/// manager's counters, never through timing.
@Suite(.serialized) struct QueryDisconnectTests {
    static func fill(_ engine: StorageEngine) async throws {
        let points = (0..<100_000).map { i in
            Point(measurement: "robot", tags: [Tag("device_id", "r\(i % 10)")],
                  fields: [Field("battery", .float(Double(i) / 4)), Field("status", .integer(Int64(i % 7)))],
                  timestamp: 1_704_067_200_000_000_000 + Int64(i) * 1_000_000_000)
        }
        _ = try await engine.write(WriteBatch(database: "robots", points: points))
    }

    static func request(chunked: Bool) -> String {
        let q = "SELECT%20*%20FROM%20robot"
        return "GET /query?db=robots&q=\(q)\(chunked ? "&chunked=true&chunk_size=10" : "") HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    }

    @Test func aChunkedReaderThatLeavesStopsItsQuery() async throws {
        let manager = QueryManager(limits: .unlimited, threads: 1)
        try await LimitsServer.with(queries: manager, prepare: Self.fill) { server in
            let socket = try RawSocket(port: server.port, receiveBuffer: 4_096)
            try socket.send(Self.request(chunked: true))
            _ = try await offPool { try socket.readHead() }
            // It reads nothing more: the query waits for it, holding a few chunks.
            #expect(try await eventually { manager.running.count == 1 })
            socket.close()
            #expect(try await eventually { manager.counters.aborted.load(ordering: .relaxed) == 1 })
            #expect(try await eventually { manager.running.isEmpty })
        }
    }

    @Test func aClientThatClosesStopsItsWholeAnswer() async throws {
        let manager = QueryManager(limits: .unlimited, threads: 1)
        try await LimitsServer.with(queries: manager, prepare: Self.fill) { server in
            let socket = try RawSocket(port: server.port)
            try socket.send(Self.request(chunked: false))
            #expect(try await eventually { manager.running.count == 1 })
            socket.close()
            #expect(try await eventually { manager.counters.aborted.load(ordering: .relaxed) == 1 })
            #expect(manager.counters.finished.load(ordering: .relaxed) == 1)
        }
    }
}
