import StrataCore

/// One entry of the rules file (docs/mqtt.md, "Rules"): which messages, where they go and
/// how a JSON record becomes a point.
struct MQTTRule: Sendable {
    /// 1-based position in the file, for messages.
    let number: Int
    let filter: MQTTTopicFilter
    let database: String
    /// A raw retention policy of `database`; nil: its default.
    let policy: String?
    let measurement: MQTTTemplate
    /// Sorted by tag key.
    let tags: [(key: String, value: MQTTTemplate)]
    let time: TimeSource?
    /// Declared field types; other numbers are floats.
    let fieldTypes: [String: FieldType]
    /// Keys of a record that are not fields: tags the rule sets, and the time. Kept, not
    /// computed, since every record of every message asks.
    let reservedKeys: Set<String>

    init(number: Int, filter: MQTTTopicFilter, database: String, policy: String?, measurement: MQTTTemplate,
         tags: [(key: String, value: MQTTTemplate)], time: TimeSource?, fieldTypes: [String: FieldType]) {
        self.number = number
        self.filter = filter
        self.database = database
        self.policy = policy
        self.measurement = measurement
        self.tags = tags
        self.time = time
        self.fieldTypes = fieldTypes
        reservedKeys = Self.reserved(tags: tags, time: time)
    }

    private static func reserved(tags: [(key: String, value: MQTTTemplate)], time: TimeSource?) -> Set<String> {
        Set(tags.map(\.key)).union(time.map { [$0.field] } ?? [])
    }

    struct TimeSource: Sendable, Equatable {
        /// Dotted path of the record's key holding the time.
        let field: String
        let unit: TimeUnit
        /// `field` split on dots.
        let path: [String]

        init(field: String, unit: TimeUnit) {
            self.field = field
            self.unit = unit
            path = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
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
