import StrataCore
import StrataQuery
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite("Live subscription index")
struct LiveIndexTests {
    static func shape(_ json: String, principal: Principal = .open) throws -> SubscriptionShape {
        guard case .subscribe(let request) = try ClientMessage.parse(json) else { throw TestError("not a subscribe") }
        return try SubscriptionShape(request, principal: principal, defaultGrace: 0)
    }

    static func key(_ device: String, fleet: String = "a", measurement: String = "robot") -> SeriesKey {
        SeriesKey(measurement: measurement, tags: [Tag("device_id", device), Tag("fleet", fleet)])
    }

    @Test func candidatesComeFromTheDatabaseMeasurementAndPinnedValue() throws {
        var index = SubscriptionIndex()
        let one = try Self.shape(#"{"action":"subscribe","id":"a","db":"robots","measurement":"robot","where":{"device_id":"robot-0001"}}"#)
        let two = try Self.shape(#"{"action":"subscribe","id":"b","db":"robots","measurement":"robot","where":{"device_id":["robot-0002","robot-0003"],"fleet":"a"}}"#)
        let fleet = try Self.shape(#"{"action":"subscribe","id":"c","db":"robots","measurement":"robot","where":{"fleet":["b"]}}"#)
        let regex = try Self.shape(#"{"action":"subscribe","id":"d","db":"robots","measurement":"robot","where":{"site":{"=~":"x"}}}"#)
        let arm = try Self.shape(#"{"action":"subscribe","id":"e","db":"robots","measurement":"arm"}"#)
        let otherDB = try Self.shape(#"{"action":"subscribe","id":"f","db":"other","measurement":"robot"}"#)
        for s in [one, two, fleet, regex, arm, otherDB] { index.insert(s) }
        #expect(two.pin?.tag == "fleet", "the pinned tag with the fewest values")

        func candidates(_ key: SeriesKey, db: String = "robots") -> Set<String> {
            var out: Set<String> = []
            index.measurements(of: db)?[key.measurement]?.forEachCandidate(key) { out.insert($0) }
            return out
        }
        #expect(candidates(Self.key("robot-0001")) == [one.key, two.key, regex.key])
        #expect(candidates(Self.key("robot-0009", fleet: "b")) == [fleet.key, regex.key])
        #expect(candidates(Self.key("robot-0001", measurement: "arm")) == [arm.key])
        #expect(candidates(Self.key("robot-0001", measurement: "lidar")) == [])
        #expect(candidates(Self.key("robot-0001"), db: "other") == [otherDB.key])

        for s in [one, two, fleet, regex, arm, otherDB] { index.remove(s) }
        #expect(index.buckets.isEmpty, "removing every shape leaves no empty buckets behind")
    }

    @Test func equalRequestsShareAShapeAndDifferentOnesDoNot() throws {
        let base = #"{"action":"subscribe","id":"ID","db":"robots","measurement":"robot","where":{"device_id":["robot-0002","robot-0001"]}"#
        let a = try Self.shape(base.replacingOccurrences(of: "ID", with: "a") + "}")
        let b = try Self.shape(base.replacingOccurrences(of: "ID", with: "b") + "}")
        #expect(a.key == b.key)
        for variant in [#","fields":["battery"]}"#, #","time_format":"rfc3339"}"#, #","start":{"time":5}}"#] {
            #expect(try Self.shape(base.replacingOccurrences(of: "ID", with: "c") + variant).key != a.key, "\(variant)")
        }
        let limited = Principal(tokenID: "t", scopes: [.read], devices: ["robot-0001"])
        let narrowed = try Self.shape(#"{"action":"subscribe","id":"n","db":"robots","measurement":"robot"}"#, principal: limited)
        let open = try Self.shape(#"{"action":"subscribe","id":"n","db":"robots","measurement":"robot"}"#)
        #expect(narrowed.key != open.key)
        #expect(narrowed.pin?.values == ["robot-0001"])
        #expect(narrowed.predicate.evaluate(Self.key("robot-0001")))
        #expect(!narrowed.predicate.evaluate(Self.key("robot-0002")))
    }

    @Test func windowQueryIsTheStatementItsQueryTextWouldParseTo() throws {
        let shape = try Self.shape(#"{"action":"subscribe","id":"w","db":"robots","measurement":"ro\"bot","where":{"site":{"=~":"^a/b"},"name":"o'hara","x":{"!=":"y"}},"fields":["bat\"t"],"every":"1s","aggregates":["mean"]}"#)
        let query = WindowQuery(database: "robots", measurement: shape.measurement, condition: shape.queryCondition,
                                fields: shape.formatter.fields, spec: shape.window!, minTime: .min)
        let text = #"SELECT mean("bat\"t") AS "mean_bat\"t" FROM "ro\"bot" WHERE (("name"::tag = 'o\'hara') AND "site"::tag =~ /^a\/b/ AND "x"::tag != 'y') AND time >= 0 AND time < 2000000000 GROUP BY time(1s), * fill(none)"#
        let expected = try QueryParser.parse(text)
        #expect([Statement.select(query.statement(windows: 0..<2_000_000_000))] == expected)
    }
}
