import StrataCore

/// One entry of the rules file (docs/mqtt.md, "Rules"): which messages, where they go and
/// how a JSON record becomes a point.
struct MQTTRule: Sendable, Equatable {
    /// 1-based position in the file, for messages.
    var number: Int
    var filter: MQTTTopicFilter
    var database: String
    /// A raw retention policy of `database`; nil: its default.
    var policy: String?
    var measurement: MQTTTemplate
    /// Sorted by tag key.
    var tags: [(key: String, value: MQTTTemplate)]
    var time: TimeSource?
    /// Declared field types; other numbers are floats.
    var fieldTypes: [String: FieldType]

    struct TimeSource: Sendable, Equatable {
        /// Dotted path of the record's key holding the time.
        var field: String
        var unit: TimeUnit
    }

    /// The unit of a numeric time; an RFC 3339 string is read as such whatever the unit.
    enum TimeUnit: String, Sendable, CaseIterable {
        case s, ms, us, ns

        var nanoseconds: Int64 {
            switch self {
            case .s: 1_000_000_000
            case .ms: 1_000_000
            case .us: 1_000
            case .ns: 1
            }
        }
    }

    enum FieldType: String, Sendable, CaseIterable {
        case float, integer, unsigned, boolean, string
    }

    /// Keys of a record that are not fields: tags the rule sets, and the time.
    var reservedKeys: Set<String> {
        Set(tags.map(\.key)).union(time.map { [$0.field] } ?? [])
    }

    static func == (a: MQTTRule, b: MQTTRule) -> Bool {
        a.number == b.number && a.filter == b.filter && a.database == b.database && a.policy == b.policy
            && a.measurement == b.measurement && a.tags.map(\.key) == b.tags.map(\.key)
            && a.tags.map(\.value) == b.tags.map(\.value) && a.time == b.time && a.fieldTypes == b.fieldTypes
    }
}

/// A rules file that cannot be used; the server refuses to start with it.
struct MQTTRuleError: Error, Equatable, CustomStringConvertible {
    /// What was wrong with one key, before it is placed in a rule.
    struct Reason: Error, Equatable {
        var text: String
        init(_ text: String) { self.text = text }
    }

    var description: String
    init(_ description: String) { self.description = description }
}

/// Why one record of a message could not become a point.
struct MQTTMappingError: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
