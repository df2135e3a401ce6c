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

    /// A client that closes only its sending side after the request (as `nc -N` does) is
    /// gone for its query, which stops, yet still gets the answer, as from Go's server; a
    /// request that runs nothing long is answered as usual.
    @Test func aHalfClosedClientStopsItsQueryAndStillGetsTheAnswer() async throws {
        let manager = QueryManager(limits: .unlimited, threads: 1)
        try await LimitsServer.with(queries: manager, prepare: Self.fill) { server in
            let ping = try RawSocket(port: server.port)
            try ping.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            ping.shutdownWrite()
            let pong = try await offPool { try ping.readToEnd() }
            #expect(pong.hasPrefix("HTTP/1.1 204"), "\(pong)")

            let socket = try RawSocket(port: server.port)
            try socket.send(Self.request(chunked: false))
            #expect(try await eventually { manager.running.count == 1 })
            socket.shutdownWrite()
            let answer = try await offPool { try socket.readToEnd() }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(answer.contains(#"{"results":[{"statement_id":0,"error":"query aborted"}]}"#), "\(answer.suffix(200))")
            #expect(manager.counters.aborted.load(ordering: .relaxed) == 1)
        }
    }
}
