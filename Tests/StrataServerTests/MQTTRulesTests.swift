import NIOCore
import StrataCore
import Testing
@testable import StrataServer

/// The rules file: what it accepts, and that each mistake names the rule and the key.
struct MQTTRulesTests {
    static let seed = """
        [{"topic": "robots/+/telemetry", "db": "robots", "measurement": "robot",
          "tags": {"device_id": "{topic.1}"}, "time": {"field": "timestamp", "unit": "ms"}}]
        """

    @Test func theSeedRule() throws {
        let rules = try MQTTRules(parsing: Self.seed)
        let rule = try #require(rules.rules.first)
        #expect(rule.filter.description == "robots/+/telemetry")
        #expect(rule.database == "robots" && rule.policy == nil)
        #expect(rule.tags.map(\.key) == ["device_id"])
        #expect(rule.tags.first?.value.parts == [.topicLevel(1)])
        #expect(rule.time == .init(field: "timestamp", unit: .ms))
        #expect(rules.filters == ["robots/+/telemetry"])
    }

    @Test(arguments: [
        ("{}", "must be a JSON array"),
        ("[]", "has no rules"),
        ("[1]", "rule 1: a rule must be a JSON object, got a number"),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "tag": {}}]"#, #"rule 1 (topic "a"): unknown key "tag""#),
        (#"[{"db": "d", "measurement": "m"}]"#, #"rule 1: missing "topic""#),
        (#"[{"topic": "a/#/b", "db": "d", "measurement": "m"}]"#, ##""topic": "#" must be a whole level"##),
        (#"[{"topic": "a", "measurement": "m"}]"#, #"missing "db""#),
        (#"[{"topic": "a", "db": "", "measurement": "m"}]"#, #""db": expected a non-empty string, got an empty string"#),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "tags": {"t": 1}}]"#, #""tags"."t": expected a template string"#),
        (#"[{"topic": "a/+", "db": "d", "measurement": "m", "tags": {"t": "{topic.2}"}}]"#, "{topic.2}, but \"a/+\" matches topics of 2 levels"),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "tags": {"t": "{topc.0}"}}]"#, "a placeholder is {topic.N} or {json.path}"),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "tags": {"t": "{json.}"}}]"#, "a JSON path is"),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "tags": {"t": "{json.x"}}]"#, "an unclosed"),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "time": {"field": "t", "unit": "days"}}]"#, #""time"."unit": expected one of s, ms, us, ns"#),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "time": {"unit": "s"}}]"#, #""time"."field""#),
        (#"[{"topic": "a", "db": "d", "measurement": "m", "fields": {"x": "double"}}]"#, #""fields"."x": expected a type, one of float, integer"#),
        (#"[{"topic": "a", "db": "d", "measurement": "m"}, {"topic": "b", "db": "d"}]"#, #"rule 2 (topic "b"): missing "measurement""#),
        ("[{", "not JSON"),
    ])
    func mistakesAreNamed(_ text: String, _ expected: String) {
        #expect { try MQTTRules(parsing: text) } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func multiLevelFiltersTakeAnyTopicLevel() throws {
        let rules = try MQTTRules(parsing: #"[{"topic": "site/#", "db": "d", "measurement": "{topic.3}"}]"#)
        #expect(rules.rules[0].measurement.parts == [.topicLevel(3)])
    }
}
