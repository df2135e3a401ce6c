import StrataCore
import StrataQuery
@testable import StrataServer
import Testing

@Suite("Live windowed aggregates")
struct LiveWindowTests {
    static let second: Int64 = 1_000_000_000
    static func at(_ s: Double) -> Int64 { LiveFixture.t0 + Int64(s * 1e9) }

    static func write(_ f: LiveFixture, _ points: [(Double, Double)], device: String = "robot-0001") async throws {
        let batch = WriteBatch(database: "robots", points: points.map { t, v in
            Point(measurement: "robot", tags: [Tag("device_id", device)], fields: [Field("battery", .float(v))], timestamp: at(t))
        })
        _ = try await f.engine.write(batch)
    }

    /// The window's row as `/query` computes it.
    static func query(_ f: LiveFixture, window s: Double) async throws -> [QueryValue] {
        let text = "SELECT mean(\"battery\"), max(\"battery\"), count(\"battery\") FROM \"robot\" WHERE \"device_id\" = 'robot-0001' "
            + "AND time >= '\(RFC3339.format(at(s)))' AND time < '\(RFC3339.format(at(s + 1)))' GROUP BY time(1s) fill(none)"
        let results = try await QueryExecutor(engine: f.engine, principal: .unrestricted("test")).execute(text, database: "robots", now: at(100))
        return try #require(results.first?.series.first?.values.first)
    }

    static func row(_ m: [String: LiveJSON]) -> [LiveJSON] {
        guard case .array(let series)? = m["series"], case .object(let s)? = series.first,
              case .array(let values)? = s["values"], case .array(let row)? = values.first else { return [] }
        return row
    }

    static func json(_ values: [QueryValue]) -> [LiveJSON] {
        values.map { v in
            switch v {
            case .time(let t), .integer(let t): .integer(t)
            case .float(let x): x == x.rounded() && abs(x) < 1e15 ? .integer(Int64(x)) : .number(x)
            default: .null
            }
        }
    }

    @Test func windowsCloseOnTheClockAndLatePointsCorrectThem() async throws {
        let f = try LiveFixture(now: Self.at(10))
        for s in 0..<10 { try await Self.write(f, [(Double(s), Double(s)), (Double(s) + 0.5, Double(s) + 0.5)]) }
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"w","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"},"fields":["battery"],"every":"1s","aggregates":["mean","max","count"],"start":{"time":\#(Self.at(5))}}"#)
        #expect(try await c.message().type == "subscribed")

        // History: the windows closed by now (end + 200 ms grace ≤ 10 s): 5, 6, 7, 8.
        for s in 5...8 {
            let m = try await c.message()
            #expect(m["history"] == .bool(true))
            #expect(m["window"] == LiveJSON.object(["start": .integer(Self.at(Double(s))), "end": .integer(Self.at(Double(s + 1)))]))
            guard case .array(let series)? = m["series"], case .object(let first)? = series.first else {
                Issue.record("no series in \(m)")
                continue
            }
            #expect(first["columns"] == .array([.string("time"), .string("mean_battery"), .string("max_battery"), .string("count_battery")]))
            #expect(Self.row(m) == Self.json(try await Self.query(f, window: Double(s))))
        }
        #expect(try await c.message().type == "live")
        #expect(await c.next(within: 0.1) == nil, "window 9 closes at 10.2 s")

        f.clock.set(Self.at(10.2))
        let nine = try await c.message()
        #expect(nine["window"] == LiveJSON.object(["start": .integer(Self.at(9)), "end": .integer(Self.at(10))]))
        #expect(nine["history"] == nil)
        #expect(nine["correction"] == nil)
        #expect(Self.row(nine) == [.integer(Self.at(9)), .number(9.25), .number(9.5), .integer(2)])

        // A point in the open window 10: nothing yet. A late point in window 7 (pushed): a correction.
        try await Self.write(f, [(10.1, 42)])
        try await Self.write(f, [(7.7, 100), (7.8, 50)])
        let correction = try await c.message()
        #expect(correction["correction"] == .bool(true))
        #expect(correction["window"] == LiveJSON.object(["start": .integer(Self.at(7)), "end": .integer(Self.at(8))]))
        #expect(Self.row(correction) == Self.json(try await Self.query(f, window: 7)))
        #expect(Self.row(correction).last == .integer(4))
        #expect(await c.next(within: 0.1) == nil, "one correction per window per batch")

        f.clock.set(Self.at(11.2))
        let ten = try await c.message()
        #expect(ten["window"] == LiveJSON.object(["start": .integer(Self.at(10)), "end": .integer(Self.at(11))]))
        #expect(Self.row(ten) == [.integer(Self.at(10)), .integer(42), .integer(42), .integer(1)])
        try await f.shutdown()
    }
}

extension LiveWindowTests {
    @Test func startNowPushesTheWindowHoldingTheSubscriptionOnceItCloses() async throws {
        let f = try LiveFixture(now: Self.at(10.5))
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"w","db":"robots","measurement":"robot","every":"1s","aggregates":["sum","first","last","spread","min"],"grace":"100ms"}"#)
        #expect(try await c.messages { $0.type == "live" }.map(\.type) == ["subscribed", "live"])
        try await Self.write(f, [(10.2, 3), (10.6, 5), (10.9, 4)])
        f.clock.set(Self.at(11.05))
        #expect(await c.next(within: 0.1) == nil, "window 10 closes at 11.1 s")
        f.clock.set(Self.at(11.1))
        let ten = try await c.message()
        guard case .array(let series)? = ten["series"], case .object(let first)? = series.first else {
            Issue.record("no series in \(ten)")
            return
        }
        #expect(first["columns"] == .array(["time", "sum_battery", "first_battery", "last_battery", "spread_battery", "min_battery"].map { .string($0) }))
        #expect(Self.row(ten) == [.integer(Self.at(10)), .integer(12), .integer(3), .integer(4), .integer(2), .integer(3)])
        try await f.shutdown()
    }
}

extension LiveWindowTests {
    @Test func tooManyHistoryWindowsAreRefused() async throws {
        let f = try LiveFixture(now: Self.at(86_400))
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"w","db":"robots","measurement":"robot","every":"1s","aggregates":["mean"],"start":{"time":\#(LiveFixture.t0)}}"#)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("w"),
                                          "error": .string("\"start\": 86399 windows of history; at most 10000 (start later or use a longer \"every\")")])
        #expect(f.hub.state.withLock { $0.subscriptionCount } == 0)
        try await f.shutdown()
    }
}

extension LiveWindowTests {
    @Test func aWindowQueryThatFailsEndsTheSubscription() async throws {
        let f = try LiveFixture(now: Self.at(10))
        let batch = WriteBatch(database: "robots", points: [
            Point(measurement: "robot", tags: [Tag("device_id", "robot-0001")], fields: [Field("mode", .string("idle"))], timestamp: Self.at(1)),
        ])
        _ = try await f.engine.write(batch)
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"w","db":"robots","measurement":"robot","fields":["mode"],"every":"1s","aggregates":["mean"],"start":{"time":\#(Self.at(0))}}"#)
        let messages = try await c.messages { $0.type == "error" || $0.type == "live" }
        let last = try #require(messages.last)
        #expect(last.type == "error")
        #expect(last.string("id") == "w")
        #expect(last.string("error")?.hasPrefix("window query failed: ") == true)
        #expect(f.hub.state.withLock { ($0.subscriptionCount, $0.shapes.count) } == (0, 0), "the registration is withdrawn")
        try await f.shutdown()
    }
}
