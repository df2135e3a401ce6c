import NIOCore
import Testing
@testable import StrataServer

struct MQTTTopicFilterTests {
    @Test(arguments: [
        ("robots/+/telemetry", "robots/r1/telemetry", true),
        ("robots/+/telemetry", "robots/r1/status", false),
        ("robots/+/telemetry", "robots/telemetry", false),
        ("robots/#", "robots", true),
        ("robots/#", "robots/a/b/c", true),
        ("#", "anything/at/all", true),
        ("#", "$SYS/broker/load", false),
        ("+/broker/load", "$SYS/broker/load", false),
        ("$SYS/#", "$SYS/broker/load", true),
        ("a/+", "a/", true),
        ("a//b", "a//b", true),
        ("exact", "exact", true),
        ("exact", "exact/more", false),
    ])
    func matching(_ filter: String, _ topic: String, _ expected: Bool) throws {
        let parsed = try #require(MQTTTopicFilter(filter))
        #expect(parsed.matches(topic) == expected)
    }

    @Test(arguments: ["", "a/#/b", "a/b#", "a+/b", "a/+b"])
    func invalidFilters(_ filter: String) {
        #expect(MQTTTopicFilter(filter) == nil)
        #expect(MQTTTopicFilter.problem(filter) != nil)
    }
}
