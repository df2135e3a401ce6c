import Foundation
import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite("Live connection registry")
struct LiveRegistryTests {
    @Test func snapshotsAndAdminClose() async throws {
        let f = try LiveFixture()
        let a = f.client(Principal(tokenID: "tok1", scopes: [.read]))
        let b = f.client()
        await a.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","where":{"device_id":["robot-0002","robot-0001"]},"fields":["battery"]}"#)
        _ = try await a.messages { $0.type == "live" }
        try await f.write([(1, 0, 1), (2, 0, 2), (3, 0, 3)])
        _ = try await a.message()

        let all = f.hub.connections()
        #expect(all.map(\.id) == [a.connection.id, b.connection.id])
        let snapshot = all[0]
        #expect(snapshot.remoteAddress == "127.0.0.1:5000")
        #expect(snapshot.userAgent == "test")
        #expect(snapshot.tokenID == "tok1")
        #expect(snapshot.connectedAt == "2024-01-01T00:00:00Z")
        #expect(snapshot.pointsSent == 2)
        #expect(snapshot.queuedMessages == 0)
        let sub = try #require(snapshot.subscriptions.first)
        #expect(sub.id == "s1")
        #expect(sub.filter == #"{"device_id":["robot-0002","robot-0001"]}"#)
        #expect(sub.fields == ["battery"])
        #expect(sub.start == "now")
        #expect(sub.policy == "conflate")
        #expect(sub.phase == "live")
        #expect(sub.pointsSent == 2)
        #expect(f.hub.connection(id: b.connection.id)?.subscriptions == [])

        let json = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
        for key in ["remote_address", "user_agent", "token_id", "connected_at", "last_active", "queued_messages",
                    "queued_bytes", "points_sent", "\"conflated\"", "\"dropped\""] {
            #expect(json.contains(key), "\(key) in \(json)")
        }

        #expect(f.hub.close(id: a.connection.id, reason: "maintenance"))
        guard case .close(let code, let reason)? = await a.next() else {
            Issue.record("expected a close")
            return
        }
        #expect(code == 4001)
        #expect(reason == "maintenance")
        #expect(f.hub.close(id: "c999", reason: "x") == false)
        a.connection.transportClosed()
        #expect(f.hub.connections().map(\.id) == [b.connection.id])
        #expect(f.hub.state.withLock { $0.subscriptionCount } == 0)
        try await f.shutdown()
    }
}

extension LiveRegistryTests {
    @Test func closeHandedToAWaitingReaderEndsTheConnection() async throws {
        let f = try LiveFixture()
        let c = f.client()
        let connection = c.connection
        let waiting = Task { await c.nextOutbound() }
        #expect(try await eventually { c.isWaiting }, "the reader parks on the empty queue")
        #expect(f.hub.close(id: connection.id, reason: "bye"))
        guard case .close(4001, "bye")? = await waiting.value else {
            Issue.record("expected the close")
            return
        }
        // Bounded: after the close, the reader gets nil at once instead of waiting.
        let endedAtOnce = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await c.nextOutbound() == nil }
            group.addTask {
                try? await Task.sleep(nanoseconds: 2_000_000_000)
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(endedAtOnce)
        connection.transportClosed()
        try await f.shutdown()
    }

    @Test func manySubscribersOfOneShapeEachGetEveryBatch() async throws {
        let f = try LiveFixture()
        let clients = (0..<100).map { _ in f.client() }
        for (i, c) in clients.enumerated() {
            await c.send(#"{"action":"subscribe","id":"s\#(i)","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
            _ = try await c.messages { $0.type == "live" }
        }
        #expect(f.hub.state.withLock { ($0.shapes.count, $0.subscriptionCount) } == (1, 100))
        var written: [UInt64] = []
        for s in Int64(0)..<20 { written.append(try await f.write([(1, s, Double(s)), (2, s, 0)])) }
        for c in clients {
            var seqs: [UInt64] = []
            for _ in 0..<20 { seqs.append(try #require(try await c.message().seq)) }
            #expect(seqs == written)
        }
        try await f.shutdown()
    }
}

extension LiveRegistryTests {
    @Test func allowlistBesideARegexOnTheDeviceTagShowsAsOneFilterObject() async throws {
        let f = try LiveFixture()
        let c = f.client(Principal(tokenID: "t", scopes: [.read], devices: ["robot-0001", "robot-0003"]))
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","where":{"device_id":{"=~":"000[12]"}}}"#)
        _ = try await c.messages { $0.type == "live" }
        let sub = try #require(f.hub.connection(id: c.connection.id)?.subscriptions.first)
        #expect(sub.filter == #"{"device_id":{"=~":"000[12]","in":["robot-0001","robot-0003"]}}"#)
        try await f.write([(1, 0, 1), (2, 0, 2), (3, 0, 3)])
        #expect(try await c.message().rows.map(\.device) == ["robot-0001"], "the regex and the allowlist both apply")
        try await f.shutdown()
    }
}
