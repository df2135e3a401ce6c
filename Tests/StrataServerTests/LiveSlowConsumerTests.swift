import StrataCore
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite("Live slow consumers")
struct LiveSlowConsumerTests {
    static var smallQueues: LiveConfiguration {
        var c = LiveConfiguration()
        c.maxQueuedMessages = 8
        return c
    }

    /// Writes `count` batches; after each, the healthy connection must receive it (while
    /// the stalled one reads nothing). Returns the batches' sequences.
    static func writeWhileHealthyReads(_ f: LiveFixture, _ healthy: LiveClient, count: Int64) async throws -> [UInt64] {
        var written: [UInt64] = []
        for s in 0..<count {
            let seq = try await f.write([(1, s, Double(s)), (2, s, -Double(s))])
            written.append(seq)
            let m = try await healthy.message()
            #expect(m.seq == seq, "the healthy connection gets every batch, in order")
        }
        return written
    }

    @Test func stalledConnectionConflatesWhileOthersGetEverything() async throws {
        let f = try LiveFixture(configuration: Self.smallQueues)
        let stalled = f.client()
        let healthy = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        await healthy.send(#"{"action":"subscribe","id":"h","db":"robots","measurement":"robot"}"#)
        for c in [stalled, healthy] { _ = try await c.messages { $0.type == "live" } }

        let written = try await Self.writeWhileHealthyReads(f, healthy, count: 50)

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

        _ = try await Self.writeWhileHealthyReads(f, healthy, count: 30)

        guard case .close(let code, let reason)? = await stalled.next() else {
            Issue.record("expected a close")
            return
        }
        #expect(code == 4000)
        #expect(reason.hasPrefix("slow consumer: 8 messages"))
        #expect(await stalled.nextOutbound() == nil)
        #expect(f.hub.state.withLock { $0.subscriptionCount } == 1)
        stalled.connection.transportClosed()
        #expect(f.hub.connection(id: stalled.connection.id) == nil)
        try await f.shutdown()
    }
}

extension LiveSlowConsumerTests {
    @Test func byteBoundHoldsAndNoPointIsUnaccountedFor() async throws {
        var configuration = LiveConfiguration()
        configuration.maxQueuedBytes = 1_000
        let f = try LiveFixture(configuration: configuration)
        let stalled = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        _ = try await stalled.messages { $0.type == "live" }
        for s in Int64(0)..<50 { try await f.write([(1, s, Double(s))]) }
        // The fan-out runs apart from the writes: wait until it has queued them all.
        try await Self.delivered(f)
        let snapshot = try #require(f.hub.connection(id: stalled.connection.id))
        #expect(snapshot.queuedBytes <= 1_000)
        #expect(snapshot.queuedMessages < 50)

        var delivered: [Double] = []
        var conflated = 0
        while delivered.last != 49 {
            let m = try await stalled.message()
            delivered += m.rows.compactMap(\.battery)
            if case .integer(let n)? = m["conflated"] { conflated += Int(n) }
        }
        #expect(conflated > 0)
        #expect(delivered.count + conflated == 50, "every point is delivered or counted as conflated")
        #expect(delivered == delivered.sorted(), "in order")
        try await f.shutdown()
    }
}

extension LiveSlowConsumerTests {
    static var shortDelay: LiveConfiguration {
        var c = LiveConfiguration()
        c.maxQueueDelay = 1_000_000_000
        return c
    }

    /// Waits (bounded) until the fan-out has queued every applied batch on its connections.
    static func delivered(_ f: LiveFixture) async throws {
        #expect(try await eventually { f.hub.deliveredSequence >= f.engine.appliedSequence })
    }

    /// A queue far from its bounds conflates once its oldest message has waited past
    /// `maxQueueDelay`: what keeps ingest at its rate when the server's writers fall behind.
    @Test func aQueueWhoseOldestMessageWaitedTooLongConflates() async throws {
        let f = try LiveFixture(configuration: Self.shortDelay)
        let stalled = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        _ = try await stalled.messages { $0.type == "live" }
        let first = try await f.write([(1, 0, 0)])
        try await Self.delivered(f)
        let second = try await f.write([(1, 1, 1)])
        try await Self.delivered(f)
        #expect(f.hub.connection(id: stalled.connection.id)?.queuedMessages == 2, "within the delay: queued")

        f.clock.set(LiveFixture.t0 + 1_500_000_000)
        var last: UInt64 = 0
        for s in Int64(2)..<6 { last = try await f.write([(1, s, Double(s))]) }
        try await Self.delivered(f)
        #expect(f.hub.connection(id: stalled.connection.id)?.queuedMessages == 2, "past the delay: folded, not queued")

        #expect(try await stalled.message().seq == first)
        #expect(try await stalled.message().seq == second)
        let conflated = try await stalled.message()
        #expect(conflated.seq == last)
        #expect(conflated["conflated"] == .integer(3))
        #expect(conflated.rows.map(\.battery) == [5])
        try await f.shutdown()
    }

    @Test func aQueueWhoseOldestMessageWaitedTooLongClosesUnderPolicyDisconnect() async throws {
        let f = try LiveFixture(configuration: Self.shortDelay)
        let stalled = f.client()
        await stalled.send(#"{"action":"subscribe","id":"s","db":"robots","measurement":"robot","policy":"disconnect"}"#)
        _ = try await stalled.messages { $0.type == "live" }
        try await f.write([(1, 0, 0)])
        try await Self.delivered(f)
        f.clock.set(LiveFixture.t0 + 1_500_000_000)
        try await f.write([(1, 1, 1)])
        guard case .close(let code, let reason)? = await stalled.next() else {
            Issue.record("expected a close")
            return
        }
        #expect(code == 4000)
        #expect(reason == "slow consumer: the oldest message queued for subscription s has waited 1500 ms")
        stalled.connection.transportClosed()
        try await f.shutdown()
    }
}
