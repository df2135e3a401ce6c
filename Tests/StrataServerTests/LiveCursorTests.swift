import StrataCore
@testable import StrataServer
import Testing

@Suite("Live history-to-live cursor")
struct LiveCursorTests {
    static let devices = [1, 2, 3]

    /// Data messages' rows per device, in arrival order, with the last live seq seen.
    /// `throughLive`: go on past `expected` rows until the live marker (a catch-up that
    /// outran the writer sends every row as history, then the marker).
    static func collect(_ c: LiveClient, until expected: Int, throughLive: Bool = false,
                        alreadyLive: Bool = false) async throws -> (rows: [String: [Int64]], lastSeq: UInt64?, kinds: [String]) {
        var rows: [String: [Int64]] = [:]
        var total = 0
        var lastSeq: UInt64?
        var kinds: [String] = []
        var live = alreadyLive
        for _ in 0..<10_000 where total < expected || throughLive && !live {
            let m = try await c.message()
            switch m.type {
            case "data":
                kinds.append(m["history"] == .bool(true) ? "history" : "data")
                #expect((m["history"] == .bool(true)) == !live, "history flag must end exactly at live")
                for row in m.rows { rows[row.device, default: []].append(row.time) }
                total += m.rows.count
                if live { lastSeq = m.seq }
            case "live":
                live = true
                kinds.append("live")
            case let other:
                kinds.append(other ?? "?")
            }
        }
        return (rows, lastSeq, kinds)
    }

    static func seconds(_ range: ClosedRange<Int64>) -> [Int64] { range.map { LiveFixture.t0 + $0 * 1_000_000_000 } }

    @Test func historyFromTimeThenLiveWhileWritingThenResumeBySeq() async throws {
        let f = try LiveFixture()
        for s in Int64(0)..<200 { try await f.write(Self.devices.map { ($0, s, Double(s)) }) }

        let c = f.client()
        let writer = Task {
            for s in Int64(200)..<400 { try await f.write(Self.devices.map { ($0, s, Double(s)) }) }
        }
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","start":{"time":\#(LiveFixture.t0 + 100_000_000_000)}}"#)
        let first = try await Self.collect(c, until: 300 * Self.devices.count, throughLive: true)
        try await writer.value
        #expect(first.kinds.first == "subscribed")
        #expect(first.kinds.contains("history"))
        #expect(first.kinds.contains("live"))
        for d in Self.devices {
            #expect(first.rows[LiveFixture.device(d)] == Self.seconds(100...399), "device \(d): every point once, in order")
        }
        // Whether the catch-up met the writer or outran it (a loaded machine), a point
        // written now arrives live, once, with the seq to resume from.
        try await f.write(Self.devices.map { ($0, 400, 400) })
        let marker = try await Self.collect(c, until: Self.devices.count, alreadyLive: true)
        for d in Self.devices { #expect(marker.rows[LiveFixture.device(d)] == Self.seconds(400...400)) }
        #expect(await c.next(within: 0.2) == nil)
        let resumeAt = try #require(marker.lastSeq)

        // The client goes away; more points land; a new connection resumes from the seq.
        c.connection.transportClosed()
        for s in Int64(401)..<450 { try await f.write(Self.devices.map { ($0, s, Double(s)) }) }
        let again = f.client()
        await again.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","start":{"seq":\#(resumeAt)}}"#)
        let second = try await Self.collect(again, until: 49 * Self.devices.count)
        #expect(second.kinds.prefix(2) == ["subscribed", "live"])
        for d in Self.devices {
            #expect(second.rows[LiveFixture.device(d)] == Self.seconds(401...449))
        }
        #expect(await again.next(within: 0.2) == nil)
        try await f.shutdown()
    }

    @Test func lastRowsPerSeriesThenLive() async throws {
        let f = try LiveFixture(now: LiveFixture.t0 + 3_600_000_000_000)
        for s in Int64(0)..<50 { try await f.write([(1, s, Double(s)), (2, s * 2, Double(s))]) }
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","start":{"last":5}}"#)
        let history = try await Self.collect(c, until: 10)
        #expect(history.rows["robot-0001"] == Self.seconds(45...49))
        #expect(history.rows["robot-0002"] == [90, 92, 94, 96, 98].map { LiveFixture.t0 + $0 * 1_000_000_000 })
        #expect(history.kinds.last == "history")
        #expect(try await c.message().type == "live")
        try await f.write([(1, 50, 50)])
        #expect(try await c.message().rows.map(\.time) == Self.seconds(50...50))
        try await f.shutdown()
    }

    @Test func seqOlderThanTheRetainedWAL() async throws {
        var options = EngineOptions()
        options.walSegmentBytes = 4_096
        options.walRetentionSeconds = 0
        options.walRetentionBytes = 0
        let fs = InMemoryFileSystem()
        do {
            let engine = try await StorageEngine.open(directory: "/data", options: options, fileSystem: fs)
            try await engine.createDatabase("robots")
            for s in Int64(0)..<50 {
                let point = Point(measurement: "robot", tags: [Tag("device_id", "robot-0001")],
                                  fields: [Field("battery", .float(Double(s)))], timestamp: LiveFixture.t0 + s * 1_000_000_000)
                _ = try await engine.write(WriteBatch(database: "robots", points: [point]))
            }
            try await engine.flush()
            try await engine.close()
        }
        let f = try LiveFixture(options: options, fileSystem: fs)
        #expect(try await f.engine.readChanges(after: 1) == nil, "the WAL must no longer hold seq 2")

        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","start":{"seq":1}}"#)
        let refused = try await c.message()
        #expect(refused.type == "error")
        #expect(refused.string("error") == "\"start\": seq 1 is older than the retained WAL; resubscribe with {\"seq\":1,\"time\":<ns>} to replay history from a time instead")

        await c.send(#"{"action":"subscribe","id":"s2","db":"robots","measurement":"robot","start":{"seq":1,"time":\#(LiveFixture.t0 + 40_000_000_000)}}"#)
        let subscribed = try await c.message()
        #expect(subscribed.type == "subscribed")
        #expect(subscribed["fallback"] == .string("time"))
        let history = try await Self.collect(c, until: 10)
        #expect(history.rows["robot-0001"] == Self.seconds(40...49))
        #expect(try await c.message().type == "live")

        await c.send(#"{"action":"subscribe","id":"s3","db":"robots","measurement":"robot","start":{"seq":999}}"#)
        let ahead = try await c.message()
        #expect(ahead.string("error")?.hasPrefix("\"start\": seq 999 is ahead of the server's latest sequence") == true)
        try await f.shutdown()
    }
}
