/// An MQTT topic filter (MQTT 3.1.1, 4.7): levels split on `/`, `+` matching one level, `#`
/// (last only) matching the rest. A filter starting with a wildcard does not match topics
/// starting with `$` (4.7.2), so `#` never takes the broker's `$SYS` topics.
struct MQTTTopicFilter: Sendable, Equatable, CustomStringConvertible {
    let description: String
    let levels: [Substring]

    /// Why `text` is not a filter, or nil if it is one.
    static func problem(_ text: String) -> String? {
        if text.isEmpty { return "an empty topic filter" }
        if text.utf8.count > 65_535 { return "a topic filter longer than 65,535 bytes" }
        let levels = text.split(separator: "/", omittingEmptySubsequences: false)
        for (i, level) in levels.enumerated() {
            if level.contains("#"), level != "#" || i != levels.count - 1 {
                return "\"#\" must be a whole level and the last one"
            }
            if level.contains("+"), level != "+" { return "\"+\" must be a whole level" }
        }
        return nil
    }

    init?(_ text: String) {
        guard Self.problem(text) == nil else { return nil }
        description = text
        levels = text.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// Whether topics of any depth from `levels.count - 1` on match (`a/#`).
    var endsWithMultiLevel: Bool { levels.last == "#" }

    func matches(_ topic: String) -> Bool {
        matches(levels: topic.split(separator: "/", omittingEmptySubsequences: false))
    }

    /// The same for a topic already split into its levels (once for every rule).
    func matches(levels topicLevels: [Substring]) -> Bool {
        if topicLevels.first?.hasPrefix("$") == true, levels.first == "+" || levels.first == "#" { return false }
        var filterLevels = levels[...]
        for level in topicLevels {
            guard let want = filterLevels.first else { return false }
            if want == "#" { return true }
            if want != "+", want != level { return false }
            filterLevels = filterLevels.dropFirst()
        }
        // "a/#" matches "a" too (4.7.1.2).
        return filterLevels.isEmpty || filterLevels == ["#"]
    }
}
