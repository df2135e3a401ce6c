import Foundation
import StrataCore
import StrataQuery
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

/// Subscribe messages an attacker holding a read token limited to robot-0001 might send
/// (docs/testing.md, "Security tests"). Whatever the message, the token gets robot-0001's
/// data or an error, and the only statement its connection runs is the window SELECT.
@Suite struct LiveHostileSubscribeTests {
    /// Quoting, escaping and regex metacharacters of InfluxQL, comment and statement
    /// separators, control characters and non-ASCII text.
    static let hostile = [
        "'", "\"", "\\", "a\\", "x\\\\", "/", "\\/", "a/ OR device_id =~ /.*", "--", ";", "; DROP SERIES FROM robot",
        "') OR ('1'='1", "\" OR \"device_id\" =~ /.*/ --", "x\ny", "nul\u{0}byte", "é🤖", "$param", ".*",
        "robot-0002", "/.*/; DELETE FROM robot --",
    ]

    /// Where in a subscribe message a hostile string goes.
    enum Place: String, CaseIterable, Sendable {
        case tagKey, tagValue, tagValueList, notEquals, regex, notRegex, deviceRegex, field, measurement, database
    }

    static let limited = Principal(tokenID: "atk00001", scopes: [.read], devices: ["robot-0001"])

    /// The subscribe message as a JSON object, with `s` placed at `place`.
    static func message(_ place: Place, _ s: String, every: Bool) -> [String: Any] {
        var m: [String: Any] = ["action": "subscribe", "id": "s", "db": "robots", "measurement": "robot",
                                "start": ["time": LiveFixture.t0]]
        switch place {
        case .tagKey: m["where"] = [s: "x"]
        case .tagValue: m["where"] = ["fleet": s]
        case .tagValueList: m["where"] = ["device_id": ["robot-0001", s]]
        case .notEquals: m["where"] = ["fleet": ["!=": s]]
        case .regex: m["where"] = ["fleet": ["=~": s], "device_id": ["!~": "\\"]]
        case .notRegex: m["where"] = ["fleet": ["!~": s]]
        case .deviceRegex: m["where"] = ["device_id": ["=~": s]]
        case .field: m["fields"] = ["battery", s]
        case .measurement: m["measurement"] = s
        case .database: m["db"] = s
        }
        if every {
            m["every"] = "1s"
            m["aggregates"] = ["mean", "count"]
        }
        return m
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static var cases: [(Place, String, Bool)] {
        Place.allCases.flatMap { place in hostile.flatMap { s in [(place, s, false), (place, s, true)] } }
    }

    @Test(arguments: cases)
    func hostileSubscribeSeesOnlyItsDevices(_ place: Place, _ s: String, _ every: Bool) async throws {
        let run = try await HostileRun.start()
        try await run.subscribe(Self.json(Self.message(place, s, every: every)))
        try await run.checkInvariants()
    }

    /// Two values that only together would change a statement built as text: a regex ending
    /// in a backslash (InfluxQL regexes cannot escape one, so `/x\\/` reads on past its end)
    /// on the first tag, then a value starting with `/` on the next, carrying the rest.
    static let pairedPayloads = [
        #"/ OR "fleet" =~ /.*/ GROUP BY time(1s), * fill(none) --"#,
        #"/ OR time > 0 GROUP BY time(1s), * fill(none); DROP SERIES FROM "robot" --"#,
        #"/ OR time > 0 GROUP BY time(1s), * fill(none); DELETE FROM "robot"; CREATE DATABASE "pwned" --"#,
        #"/ OR time > 0 GROUP BY time(1s), * fill(none); ALTER RETENTION POLICY "autogen" ON "robots" DURATION 1h --"#,
    ]

    @Test(arguments: pairedPayloads, [false, true])
    func aBackslashEndedRegexDoesNotReachTheNextValue(_ payload: String, _ every: Bool) async throws {
        let run = try await HostileRun.start()
        var m: [String: Any] = ["action": "subscribe", "id": "p", "db": "robots", "measurement": "robot",
                                "where": ["a": ["=~": #"x\\"#], "b": payload], "start": ["time": LiveFixture.t0]]
        if every {
            m["every"] = "1s"
            m["aggregates"] = ["mean"]
        }
        try await run.subscribe(Self.json(m))
        // Accepted, and the values stayed values: one SELECT ran (for `every`), matching nothing.
        #expect(run.received.last?.type == "live", "\(run.received)")
        #expect(run.statements.statements.withLock { $0.count } == (every ? 1 : 0))
        try await run.checkInvariants()
    }

    /// A database without the token's series and one that does not exist answer alike, for
    /// plain and window subscriptions; once its device writes there, its data comes.
    @Test(arguments: [false, true])
    func hiddenAndMissingDatabasesLookTheSame(_ every: Bool) async throws {
        let run = try await HostileRun.start()
        try await run.fixture.engine.createDatabase("hidden")
        let other = Point(measurement: "robot", tags: [Tag("device_id", "robot-0002")], fields: [Field("battery", .float(1))],
                          timestamp: LiveFixture.t0 + 1_000_000_000)
        _ = try await run.fixture.engine.write(WriteBatch(database: "hidden", points: [other]))
        run.before = EngineSnapshot(run.fixture.engine)
        var answers: [[String]] = []
        for db in ["hidden", "nowhere"] {
            var m = Self.message(.database, db, every: every)
            m["id"] = db
            let before = run.received.count
            try await run.subscribe(Self.json(m))
            answers.append(run.received[before...].map { "\($0.type ?? "?") \($0["series"] == nil)" })
        }
        #expect(answers[0] == answers[1])
        #expect(answers[0].last == "live true", "\(answers)")
        try await run.checkInvariants()
    }

    /// Random subscribe messages built from the hostile strings and ordinary names: several
    /// subscriptions per connection, window and plain, each checked as above.
    @Test(arguments: 0..<8)
    func seededFuzz(_ seed: Int) async throws {
        var rng = SplitMix64(seed: 0x5EC0_0000 + UInt64(seed))
        let run = try await HostileRun.start()
        for n in 0..<12 {
            var m = Self.randomMessage(&rng)
            m["id"] = "f\(n)"
            try await run.subscribe(Self.json(m))
        }
        try await run.checkInvariants()
    }

    static func randomMessage(_ rng: inout SplitMix64) -> [String: Any] {
        let words = hostile + ["device_id", "fleet", "robot-0001", "a", "b", "battery", "robot", "robots"]
        func word() -> String {
            // Now and then two pieces run together, so metacharacters meet each other.
            let w = words.randomElement(using: &rng)!
            return Bool.random(using: &rng) ? w : w + words.randomElement(using: &rng)!
        }
        var filter: [String: Any] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let value: Any
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: value = word()
            case 1: value = (0..<Int.random(in: 1...3, using: &rng)).map { _ in word() }
            case 2: value = ["=~": word()]
            case 3: value = ["!~": word()]
            default: value = ["!=": word()]
            }
            filter[Bool.random(using: &rng) ? word() : ["device_id", "fleet"].randomElement(using: &rng)!] = value
        }
        var m: [String: Any] = ["action": "subscribe", "db": Int.random(in: 0..<4, using: &rng) == 0 ? word() : "robots",
                                "measurement": Int.random(in: 0..<4, using: &rng) == 0 ? word() : "robot",
                                "where": filter, "start": ["time": LiveFixture.t0]]
        if Bool.random(using: &rng) { m["fields"] = (0..<Int.random(in: 1...2, using: &rng)).map { _ in word() } }
        if Bool.random(using: &rng) {
            m["every"] = "1s"
            m["aggregates"] = [["mean", "max", "count", "last"].randomElement(using: &rng)!]
        }
        return m
    }
}

/// One connection of the limited token on a hub whose engine holds two devices, with every
/// statement the connection's executor runs recorded.
final class HostileRun {
    let fixture: LiveFixture
    let client: LiveClient
    let statements: Recorded
    var before: EngineSnapshot
    var received: [[String: LiveJSON]] = []

    final class Recorded: Sendable {
        let statements = Mutex<[Statement]>([])
    }

    init(fixture: LiveFixture, client: LiveClient, statements: Recorded, before: EngineSnapshot) {
        self.fixture = fixture
        self.client = client
        self.statements = statements
        self.before = before
    }

    static func start(principal: Principal = LiveHostileSubscribeTests.limited) async throws -> HostileRun {
        let statements = Recorded()
        var configuration = LiveConfiguration()
        configuration.statementObserver = { statement, _ in statements.statements.withLock { $0.append(statement) } }
        let fixture = try LiveFixture(configuration: configuration, now: LiveFixture.t0 + 10_000_000_000)
        try await fixture.write((1...5).flatMap { t in [(1, Int64(t), 80), (2, Int64(t), 20)] })
        return HostileRun(fixture: fixture, client: fixture.client(principal), statements: statements,
                          before: EngineSnapshot(fixture.engine))
    }

    /// Sends `text` and reads until the subscription is live or refused.
    func subscribe(_ text: String) async throws {
        await client.send(text)
        received += try await client.messages(until: { $0.type == "live" || $0.type == "error" }, limit: 1_000)
    }

    /// Only robot-0001's rows came; only SELECTs of the subscribed measurement ran, each
    /// narrowed to the token's device; nothing in the engine changed.
    func checkInvariants() async throws {
        // Only rows: an error may name what was refused (`device robot-0002 is not allowed`)
        // and columns echo the client's own field names.
        for m in received {
            guard case .array(let series)? = m["series"] else { continue }
            for case .object(let one) in series {
                guard case .object(let tags)? = one["tags"] else {
                    Issue.record("a series without tags: \(one)")
                    continue
                }
                #expect(tags["device_id"] == .string("robot-0001"), "\(one)")
                #expect(!String(describing: one["values"]).contains("robot-0002"), "\(one)")
            }
        }
        for statement in statements.statements.withLock({ $0 }) {
            guard case .select(let select) = statement else {
                Issue.record("a subscription ran \(statement)")
                continue
            }
            #expect(select.sources.count == 1)
            if case .subquery = select.sources.first { Issue.record("a subscription ran a subquery") }
        }
        #expect(EngineSnapshot(fixture.engine) == before, "the engine changed")
        try await fixture.shutdown()
    }
}

/// What a statement other than a SELECT could change: databases, series, retention.
struct EngineSnapshot: Equatable {
    var databases: [String]
    var series: [String]
    var retention: [String]

    init(_ engine: StorageEngine) {
        databases = engine.databaseNames().sorted()
        series = databases.flatMap { db in
            engine.measurements(database: db).flatMap { m in engine.seriesKeys(database: db, measurement: m).map { "\(db) \($0)" } }
        }
        retention = databases.map { "\($0) \(engine.retention(database: $0))" }
    }
}
