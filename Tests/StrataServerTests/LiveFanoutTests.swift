import NIOCore
import StrataCore
@testable import StrataServer
import Testing

@Suite("Live fan-out")
struct LiveFanoutTests {
    @Test func subscribeNowReceivesLiveDataThenUnsubscribes() async throws {
        let f = try LiveFixture()
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot"}"#)
        let subscribed = try await c.message()
        #expect(subscribed.type == "subscribed")
        #expect(subscribed.string("id") == "s1")
        let live = try await c.message()
        #expect(live.type == "live")
        #expect(live.seq == subscribed.seq)

        let seq = try await f.write([(1, 0, 80.5), (2, 0, 70.25)])
        let data = try await c.message()
        #expect(data.type == "data")
        #expect(data.seq == seq)
        #expect(data["history"] == nil)
        #expect(data.rows.map(\.device).sorted() == ["robot-0001", "robot-0002"])
        #expect(data.rows.map(\.battery).sorted { ($0 ?? 0) < ($1 ?? 0) } == [70.25, 80.5])

        await c.send(#"{"action":"unsubscribe","id":"s1"}"#)
        #expect(try await c.message() == ["type": .string("unsubscribed"), "id": .string("s1")])
        try await f.write([(1, 1, 80)])
        #expect(await c.next(within: 0.2) == nil)
        try await f.shutdown()
    }

    @Test func pingPongAndUnknownUnsubscribe() async throws {
        let f = try LiveFixture()
        let c = f.client()
        await c.send(#"{"action":"ping"}"#)
        #expect(try await c.message() == ["type": .string("pong")])
        await c.send(#"{"action":"unsubscribe","id":"nope"}"#)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("nope"), "error": .string("no subscription nope")])
        await c.send(#"{"action":"jump"}"#)
        #expect(try await c.message() == ["type": .string("error"),
                                          "error": .string("unknown action \"jump\": expected subscribe, unsubscribe or ping")])
        try await f.shutdown()
    }

    @Test func onlyMatchingSeriesAndMeasurementsArrive() async throws {
        let f = try LiveFixture()
        let one = f.client()
        let other = f.client()
        let regex = f.client()
        await one.send(#"{"action":"subscribe","id":"a","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        await other.send(#"{"action":"subscribe","id":"b","db":"robots","measurement":"arm"}"#)
        await regex.send(#"{"action":"subscribe","id":"r","db":"robots","measurement":"robot","where":{"device_id":{"=~":"-000[23]$"},"fleet":{"!=":"b"}}}"#)
        for c in [one, other, regex] { _ = try await c.messages { $0.type == "live" } }

        let seq = try await f.write([(1, 0, 1), (2, 0, 2), (3, 0, 3), (4, 0, 4)])
        let a = try await one.message()
        #expect(a.seq == seq)
        #expect(a.rows.map(\.device) == ["robot-0001"])
        let r = try await regex.message()
        #expect(r.rows.map(\.device) == ["robot-0002"])  // robot-0003 is fleet b
        #expect(await other.next(within: 0.2) == nil)

        let armSeq = try await f.write([(9, 0, 9)], measurement: "arm")
        let arm = try await other.message()
        #expect(arm.seq == armSeq)
        #expect(await one.next(within: 0.1) == nil)
        try await f.shutdown()
    }

    @Test func subscriptionsOfOneShapeShareTheEncodedBytes() async throws {
        let f = try LiveFixture()
        let a = f.client()
        let b = f.client()
        let request = #"{"action":"subscribe","id":"ID","db":"robots","measurement":"robot","where":{"device_id":["robot-0001","robot-0002"]}}"#
        await a.send(request.replacingOccurrences(of: "ID", with: "x"))
        await b.send(request.replacingOccurrences(of: "ID", with: "longer-id"))
        for c in [a, b] { _ = try await c.messages { $0.type == "live" } }
        #expect(f.hub.state.withLock { $0.shapes.count } == 1)
        try await f.write([(1, 0, 1.5), (2, 0, 2.5), (3, 0, 3.5)])
        guard case .text(let first)? = await a.next(), case .text(let second)? = await b.next() else {
            Issue.record("no data")
            return
        }
        let tail = { (buffer: ByteBuffer) in String(buffer: buffer).split(separator: "\"series\"", maxSplits: 1).last! }
        #expect(tail(first) == tail(second))
        #expect(String(buffer: first).hasPrefix(#"{"type":"data","id":"x","seq":"#))
        #expect(String(buffer: second).hasPrefix(#"{"type":"data","id":"longer-id","seq":"#))
        try await f.shutdown()
    }

    @Test func deviceAllowlistRefusesAndNarrows() async throws {
        let f = try LiveFixture()
        let limited = Principal(tokenID: "t1", scopes: [.read], devices: ["robot-0001"])
        let c = f.client(limited)
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","where":{"device_id":["robot-0001","robot-0002"]}}"#)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("s1"),
                                          "error": .string("device robot-0002 is not allowed for this token")])
        // No device named: the allowlist narrows the subscription, never widens it.
        await c.send(#"{"action":"subscribe","id":"s2","db":"robots","measurement":"robot","where":{"fleet":"b"}}"#)
        _ = try await c.messages { $0.type == "live" }
        try await f.write([(1, 0, 1), (3, 0, 3), (2, 0, 2)])
        let data = try await c.message()
        #expect(data.rows.map(\.device) == ["robot-0001"])
        let snapshot = try #require(f.hub.connection(id: c.connection.id))
        #expect(snapshot.subscriptions.first?.filter == #"{"device_id":"robot-0001","fleet":"b"}"#)
        try await f.shutdown()
    }
}

extension LiveFanoutTests {
    @Test func unknownDatabaseIsRefused() async throws {
        let f = try LiveFixture()
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"nope","measurement":"robot"}"#)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("s1"), "error": .string("database not found: nope")])
        try await f.shutdown()
    }

    @Test func duplicateIDIsRefusedAndRFC3339Times() async throws {
        let f = try LiveFixture()
        let c = f.client()
        let request = #"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","time_format":"rfc3339"}"#
        await c.send(request)
        _ = try await c.messages { $0.type == "live" }
        await c.send(request)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("s1"),
                                          "error": .string("subscription id s1 is already in use")])
        let batch = WriteBatch(database: "robots", points: [
            Point(measurement: "robot", tags: [Tag("device_id", "robot-0001")], fields: [Field("battery", .float(1))],
                  timestamp: LiveFixture.t0 + 500_000_000),
        ])
        _ = try await f.engine.write(batch)
        guard case .text(let buffer)? = await c.next() else {
            Issue.record("no data")
            return
        }
        #expect(String(buffer: buffer).hasSuffix(#""values":[["2024-01-01T00:00:00.5Z",1]]}]}"#))
        try await f.shutdown()
    }

    @Test func longHistoryComesInBoundedChunks() async throws {
        let f = try LiveFixture()
        for start in stride(from: Int64(0), to: 2_500, by: 500) {
            try await f.write((start..<(start + 500)).map { (1, $0, Double($0)) })
        }
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","start":{"time":0}}"#)
        let messages = try await c.messages { $0.type == "live" }
        let chunks = messages.filter { $0.type == "data" }
        #expect(chunks.map(\.rows.count) == [1_000, 1_000, 500])
        #expect(chunks.allSatisfy { $0["history"] == .bool(true) && $0.seq == messages.first?.seq })
        #expect(chunks.flatMap(\.rows).map(\.time) == (0..<2_500).map { LiveFixture.t0 + $0 * 1_000_000_000 })
        try await f.shutdown()
    }
}
