import StrataCore
import StrataQuery
@testable import StrataServer
import Testing

/// A live subscription's `{"=~": re}` / `{"!~": re}` filter is the query layer's RE2 regex:
/// Go's syntax, unanchored, linear time.
@Suite struct LiveRegexFilterTests {
    static func key(_ site: String) -> SeriesKey {
        SeriesKey(measurement: "robot", tags: [Tag("site", site)])
    }

    @Test(arguments: [
        (TagCondition.matches("(a+)+$"), String(repeating: "a", count: 100_000) + "!", false),
        (TagCondition.matches("(a+)+$"), String(repeating: "a", count: 100_000), true),
        (TagCondition.notMatches("(a+)+$"), String(repeating: "a", count: 100_000) + "!", true),
        (TagCondition.matches("lab"), "east-lab-2", true),
        (TagCondition.matches("^lab"), "east-lab-2", false),
        (TagCondition.matches("(?i)^EAST"), "east-lab-2", true),
    ] as [(TagCondition, String, Bool)])
    func filters(condition: TagCondition, site: String, expected: Bool) throws {
        let predicate = try condition.predicate(tag: "site")
        #expect(predicate.evaluate(Self.key(site)) == expected)
    }

    /// Refused patterns keep the live protocol's wording (the Go reason is the query layer's).
    @Test(arguments: ["(?=x)", "a**", "(", "\\"])
    func refuses(pattern: String) {
        #expect(throws: LiveProtocolError("\"where\": tag site: invalid regular expression \(pattern)")) {
            try TagCondition.matches(pattern).predicate(tag: "site")
        }
    }
}
