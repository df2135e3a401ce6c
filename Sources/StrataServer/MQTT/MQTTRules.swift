import StrataCore
import StrataQuery

/// The rules file of `--mqtt-rules` (docs/mqtt.md, "Rules"): a JSON array of rules, read
/// once at start. Every mistake is reported with the rule's number and the key.
struct MQTTRules: Sendable {
    let rules: [MQTTRule]

    /// The distinct topic filters, in file order: one subscription each.
    var filters: [String] {
        var seen = Set<String>()
        return rules.map(\.filter.description).filter { seen.insert($0).inserted }
    }

    static let keys: Set<String> = ["topic", "db", "rp", "measurement", "tags", "time", "fields"]

    init(parsing text: String) throws(MQTTRuleError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            throw MQTTRuleError("the rules file is not JSON: \(error)")
        }
        guard case .array(let entries) = document else {
            throw MQTTRuleError("the rules file must be a JSON array of rules, got \(Self.kind(document))")
        }
        guard !entries.isEmpty else { throw MQTTRuleError("the rules file has no rules") }
        var rules: [MQTTRule] = []
        for (i, entry) in entries.enumerated() {
            let topic: String? = if case .string(let t) = entry["topic"] { t } else { nil }
            let name = "rule \(i + 1)" + (topic.map { " (topic \"\($0)\")" } ?? "")
            do {
                rules.append(try Self.rule(entry, number: i + 1))
            } catch {
                throw MQTTRuleError("\(name): \(error.text)")
            }
        }
        self.rules = rules
    }

    private static func rule(_ entry: JSONValue, number: Int) throws(MQTTRuleError.Reason) -> MQTTRule {
        guard case .object(let members) = entry else { throw .init("a rule must be a JSON object, got \(kind(entry))") }
        if let unknown = members.first(where: { !keys.contains($0.0) }) {
            throw .init("unknown key \"\(unknown.0)\" (a rule has \(keys.sorted().joined(separator: ", ")))")
        }
        let topic = try string(entry, "topic")
        if let problem = MQTTTopicFilter.problem(topic) { throw .init("\"topic\": \(problem)") }
        let filter = MQTTTopicFilter(topic)!
        let database = try string(entry, "db")
        let policy = try entry["rp"] == nil ? nil : string(entry, "rp")
        let measurement = try template(try string(entry, "measurement"), key: "measurement", filter: filter)
        var tags: [(key: String, value: MQTTTemplate)] = []
        if let tagsValue = entry["tags"] {
            guard case .object(let tagMembers) = tagsValue else { throw .init("\"tags\": expected an object, got \(kind(tagsValue))") }
            for (key, value) in tagMembers {
                guard !key.isEmpty else { throw .init("\"tags\": a tag key is empty") }
                guard case .string(let text) = value else {
                    throw .init("\"tags\".\"\(key)\": expected a template string, got \(kind(value))")
                }
                tags.append((key, try template(text, key: "tags\".\"\(key)", filter: filter)))
            }
            tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
        return MQTTRule(number: number, filter: filter, database: database, policy: policy, measurement: measurement,
                        tags: tags, time: try time(entry["time"]), fieldTypes: try fieldTypes(entry["fields"]))
    }

    private static func time(_ value: JSONValue?) throws(MQTTRuleError.Reason) -> MQTTRule.TimeSource? {
        guard let value else { return nil }
        guard case .object(let members) = value else { throw .init("\"time\": expected an object, got \(kind(value))") }
        if let unknown = members.first(where: { $0.0 != "field" && $0.0 != "unit" }) {
            throw .init("\"time\": unknown key \"\(unknown.0)\" (it has field and unit)")
        }
        guard case .string(let field) = value["field"], !field.isEmpty else {
            throw .init("\"time\".\"field\": expected the name of the record's time key")
        }
        var unit = MQTTRule.TimeUnit.ms
        if let unitValue = value["unit"] {
            let units = MQTTRule.TimeUnit.allCases.map(\.rawValue).joined(separator: ", ")
            guard case .string(let text) = unitValue, let parsed = MQTTRule.TimeUnit(rawValue: text) else {
                throw .init("\"time\".\"unit\": expected one of \(units)")
            }
            unit = parsed
        }
        return .init(field: field, unit: unit)
    }

    private static func fieldTypes(_ value: JSONValue?) throws(MQTTRuleError.Reason) -> [String: MQTTRule.FieldType] {
        guard let value else { return [:] }
        guard case .object(let members) = value else { throw .init("\"fields\": expected an object, got \(kind(value))") }
        var types: [String: MQTTRule.FieldType] = [:]
        let names = MQTTRule.FieldType.allCases.map(\.rawValue).joined(separator: ", ")
        for (key, type) in members {
            guard case .string(let text) = type, let parsed = MQTTRule.FieldType(rawValue: text) else {
                throw .init("\"fields\".\"\(key)\": expected a type, one of \(names)")
            }
            types[key] = parsed
        }
        return types
    }

    private static func template(_ text: String, key: String, filter: MQTTTopicFilter) throws(MQTTRuleError.Reason)
        -> MQTTTemplate
    {
        let template: MQTTTemplate
        do {
            template = try MQTTTemplate(parsing: text)
        } catch {
            throw .init("\"\(key)\": \(error.text)")
        }
        // A level past the filter's last can only exist after a "#".
        if let level = template.highestTopicLevel, !filter.endsWithMultiLevel, level >= filter.levels.count {
            throw .init("\"\(key)\": {topic.\(level)}, but \"\(filter)\" matches topics of \(filter.levels.count) levels (0 to \(filter.levels.count - 1))")
        }
        return template
    }

    private static func string(_ entry: JSONValue, _ key: String) throws(MQTTRuleError.Reason) -> String {
        guard let value = entry[key] else { throw .init("missing \"\(key)\"") }
        guard case .string(let text) = value, !text.isEmpty else {
            throw .init("\"\(key)\": expected a non-empty string, got \(kind(value))")
        }
        return text
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): s.isEmpty ? "an empty string" : "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
