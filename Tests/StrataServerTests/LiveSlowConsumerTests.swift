import StrataCore
@testable import StrataServer
import Testing

@Suite("Live slow consumers")
struct LiveSlowConsumerTests {
    static var smallQueues: LiveConfiguration {
        var c = LiveConfiguration()
        c.maxQueuedMessages = 8
        return c
    }

    /// A reader that takes every data message of `c` until it has `count` of them.
    static func reader(_ c: LiveClient, count: Int) -> Task<[UInt64], any Error> {
        Task {
            var seqs: [UInt64] = []
            while seqs.count < count {
                let m = try await c.message()
                if m.type == "data", let seq = m.seq { seqs.append(seq) }
            }
            return seqs
        }
    }

    @Test func stalledConnectionConflatesWhileOthersGetEverything() async throws {
        let f = try LiveFixture(configuration: Self.smallQueues)
        let stalled = f.client()
        let healthy = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        await healthy.send(#"{"action":"subscribe","id":"h","db":"robots","measurement":"robot"}"#)
        for c in [stalled, healthy] { _ = try await c.messages { $0.type == "live" } }

        let received = Self.reader(healthy, count: 50)
        var written: [UInt64] = []
        for s in Int64(0)..<50 { written.append(try await f.write([(1, s, Double(s)), (2, s, -Double(s))])) }
        #expect(try await received.value == written, "the healthy connection gets every batch, in order")

        let snapshot = try #require(f.hub.connection(id: stalled.connection.id))
        #expect(snapshot.queuedMessages <= 8)

        // Reading now: the queued messages, then one with the latest row and the count skipped.
        var seqs: [UInt64] = []
        for _ in 0..<8 { seqs.append(try #require(try await stalled.message().seq)) }
        #expect(seqs == Array(written.prefix(8)))
        let conflated = try await stalled.message()
        #expect(conflated.seq == written.last)
        #expect(conflated["conflated"] == .integer(41))  // 42 batches folded, 1 row kept
        #expect(conflated.rows.map(\.battery) == [49])
        #expect(await stalled.next(within: 0.2) == nil)
        let after = try #require(f.hub.connection(id: stalled.connection.id))
        #expect(after.conflated == 41)
        #expect(after.subscriptions.first?.position == written.last)

        // Caught up: live messages flow again, unconflated.
        let next = try await f.write([(1, 50, 50)])
        let live = try await stalled.message()
        #expect(live.seq == next)
        #expect(live["conflated"] == nil)
        try await f.shutdown()
    }

    @Test func stalledConnectionWithPolicyDisconnectIsClosed() async throws {
        let f = try LiveFixture(configuration: Self.smallQueues)
        let stalled = f.client()
        let healthy = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","policy":"disconnect"}"#)
        await healthy.send(#"{"action":"subscribe","id":"h","db":"robots","measurement":"robot"}"#)
        for c in [stalled, healthy] { _ = try await c.messages { $0.type == "live" } }

        let received = Self.reader(healthy, count: 30)
        for s in Int64(0)..<30 { try await f.write([(1, s, Double(s))]) }
        #expect(try await received.value.count == 30)

        guard case .close(let code, let reason)? = await stalled.next() else {
            Issue.record("expected a close")
            return
        }
        #expect(code == 4000)
        #expect(reason.hasPrefix("slow consumer: 8 messages"))
        #expect(await stalled.connection.nextOutbound() == nil)
        #expect(f.hub.state.withLock { $0.subscriptionCount } == 1)
        stalled.connection.transportClosed()
        #expect(f.hub.connection(id: stalled.connection.id) == nil)
        try await f.shutdown()
    }
}
