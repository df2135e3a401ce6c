@testable import StrataServer
import Testing

@Suite("Live message parsing")
struct LiveMessageParsingTests {
    static let full = #"""
    {"action":"subscribe","id":"s1","db":"robots","measurement":"robot",
     "where":{"device_id":["robot-0001","robot-0002"],"fleet":"a","site":{"=~":"^eu-"},"zone":{"!~":"x"},"kind":{"!=":"arm"}},
     "fields":["battery"],"start":{"seq":12,"time":1704067200000000000},"policy":"disconnect","time_format":"rfc3339"}
    """#

    @Test func fullSubscribe() throws {
        guard case .subscribe(let r) = try ClientMessage.parse(Self.full) else { Issue.record("not a subscribe"); return }
        #expect(r.id == "s1")
        #expect(r.database == "robots")
        #expect(r.measurement == "robot")
        #expect(r.filter == ["device_id": .anyOf(["robot-0001", "robot-0002"]), "fleet": .anyOf(["a"]),
                             "site": .matches("^eu-"), "zone": .notMatches("x"), "kind": .notEquals("arm")])
        #expect(r.fields == ["battery"])
        #expect(r.start == .sequence(12, fallbackTime: 1_704_067_200_000_000_000))
        #expect(r.policy == .disconnect)
        #expect(r.timeFormat == .rfc3339)
    }

    @Test(arguments: [
        (#"{"action":"ping"}"#, ClientMessage.ping),
        (#"{"action":"unsubscribe","id":"s1"}"#, .unsubscribe(id: "s1")),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m"}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m"))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","start":"now"}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", start: .now))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","start":{"time":5}}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", start: .time(5)))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","start":{"time":"2024-01-01T00:00:01Z"}}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", start: .time(1_704_067_201_000_000_000)))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","start":{"seq":7}}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", start: .sequence(7, fallbackTime: nil)))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","start":{"last":3}}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", start: .last(3)))),
        (#"{"action":"subscribe","id":"a","db":"d","measurement":"m","every":"1s","aggregates":["mean","max"],"grace":"50ms"}"#,
         .subscribe(SubscribeRequest(id: "a", database: "d", measurement: "m", every: 1_000_000_000,
                                     aggregates: [.mean, .max], grace: 50_000_000))),
    ])
    func good(text: String, expected: ClientMessage) throws {
        #expect(try ClientMessage.parse(text) == expected)
    }

    @Test(arguments: [
        ("not json", "message is not valid JSON", nil),
        ("[1]", "message must be a JSON object, got an array", nil),
        (#"{"id":"s1"}"#, "missing \"action\"", nil),
        (#"{"action":5}"#, "\"action\": expected a string, got a number", nil),
        (#"{"action":"subscribe"}"#, "missing \"id\"", nil),
        (#"{"action":"subscribe","id":""}"#, "\"id\": must not be empty", nil),
        (#"{"action":"subscribe","id":"s1","measurement":"m"}"#, "missing \"db\"", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d"}"#, "missing \"measurement\"", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","feilds":["a"]}"#, "unknown key \"feilds\"", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","start":"later"}"#,
         "\"start\": expected \"now\", {\"time\":…}, {\"seq\":…} or {\"last\":…}", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","start":{"seq":-1}}"#,
         "\"start\": \"seq\" must be a non-negative integer", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","start":{"last":0}}"#,
         "\"start\": \"last\" must be an integer from 1 to 100000", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","start":{"time":"yesterday"}}"#,
         "\"start\": \"time\" must be integer nanoseconds since the epoch or an RFC 3339 string", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","where":{"device_id":5}}"#,
         "\"where\": tag device_id: expected a string, an array of strings, or {\"=~\": regex}, {\"!~\": regex}, {\"!=\": value}", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","where":{"device_id":[]}}"#,
         "\"where\": tag device_id: empty array matches nothing", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","fields":[]}"#,
         "\"fields\": expected a non-empty array of strings", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","every":"1s"}"#,
         "\"every\" needs \"aggregates\" (e.g. [\"mean\"])", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","aggregates":["mean"]}"#,
         "\"aggregates\" needs \"every\" (e.g. \"1s\")", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","every":"soon","aggregates":["mean"]}"#,
         "\"every\": expected a positive duration such as \"1s\", \"200ms\" or \"5m\"", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","every":"1s","aggregates":["avg"]}"#,
         "\"aggregates\": unknown function \"avg\": expected one of count, sum, mean, min, max, first, last, spread, median, stddev", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","every":"1s","aggregates":["mean"],"start":{"seq":3}}"#,
         "\"start\": an \"every\" subscription resumes by time: use {\"time\":…}, not {\"seq\":…}", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","policy":"drop"}"#,
         "\"policy\": expected \"conflate\" or \"disconnect\"", "s1"),
        (#"{"action":"subscribe","id":"s1","db":"d","measurement":"m","time_format":"ms"}"#,
         "\"time_format\": expected \"ns\" or \"rfc3339\"", "s1"),
        (#"{"action":"dance"}"#, "unknown action \"dance\": expected subscribe, unsubscribe or ping", nil),
    ] as [(String, String, String?)])
    func bad(text: String, error: String, id: String?) {
        #expect(throws: LiveProtocolError(error, id: id)) { try ClientMessage.parse(text) }
    }

    @Test func badRegexIsRefusedWhenSubscribing() async throws {
        let f = try LiveFixture()
        let c = f.client()
        await c.send(#"{"action":"subscribe","id":"s1","db":"robots","measurement":"robot","where":{"site":{"=~":"("}}}"#)
        #expect(try await c.message() == ["type": .string("error"), "id": .string("s1"),
                                          "error": .string("\"where\": tag site: invalid regular expression (")])
        try await f.shutdown()
    }
}
