import NIOCore
import StrataCore
import StrataQuery

/// Turns one MQTT message into points by the rules it matches (docs/mqtt.md). Pure: no
/// engine, no clock (the arrival time is given).
struct MQTTMessageMapper: Sendable {
    let rules: MQTTRules

    /// What one message became: points per matching rule, and why records were left out.
    struct Mapped: Sendable {
        /// How many rules the topic matched; 0: the message is unmatched.
        var matchedRules = 0
        /// Indexes into `rules.rules`, each with its points.
        var points: [(rule: Int, points: [Point])] = []
        /// Each naming the rule and, for arrays, the record.
        var errors: [String] = []

        var pointCount: Int { points.reduce(0) { $0 + $1.points.count } }
    }

    func map(topic: String, payload: ByteBuffer, arrival: Int64) -> Mapped {
        var mapped = Mapped()
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        let matching = rules.rules.indices.filter { rules.rules[$0].filter.matches(levels: levels) }
        mapped.matchedRules = matching.count
        guard !matching.isEmpty else { return mapped }
        let records: [JSONValue]
        switch Self.records(payload) {
        case .failure(let error):
            mapped.errors.append(error.description)
            return mapped
        case .success(let list):
            records = list
        }
        for index in matching {
            let rule = rules.rules[index]
            var points: [Point] = []
            for (i, record) in records.enumerated() {
                // Records without a time of their own stay apart: one nanosecond each.
                switch Self.point(record, rule: rule, topicLevels: levels, arrival: arrival + Int64(i)) {
                case .success(let point):
                    points.append(point)
                case .failure(let error):
                    let which = records.count > 1 ? "record \(i + 1): " : ""
                    mapped.errors.append("rule \(rule.number): \(which)\(error)")
                }
            }
            if !points.isEmpty { mapped.points.append((index, points)) }
        }
        return mapped
    }

    /// A JSON object is one record, an array of objects several.
    static func records(_ payload: ByteBuffer) -> Result<[JSONValue], MQTTMappingError> {
        guard let text = payload.withUnsafeReadableBytes({ String(validating: $0, as: UTF8.self) }) else {
            return .failure(.init("the payload is not UTF-8 text"))
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            return .failure(.init("the payload is not JSON: \(error)"))
        }
        switch document {
        case .object:
            return .success([document])
        case .array(let items):
            guard !items.isEmpty else { return .failure(.init("the payload is an empty array")) }
            if let bad = items.firstIndex(where: { if case .object = $0 { false } else { true } }) {
                return .failure(.init("record \(bad + 1) is \(MQTTRules.kind(items[bad])), not an object"))
            }
            return .success(items)
        default:
            return .failure(.init("the payload is \(MQTTRules.kind(document)), not a JSON object or array of objects"))
        }
    }

    static func point(_ record: JSONValue, rule: MQTTRule, topicLevels: [Substring], arrival: Int64)
        -> Result<Point, MQTTMappingError>
    {
        let measurement: String
        switch rule.measurement.render(topicLevels: topicLevels, record: record) {
        case .success(let name) where !name.isEmpty: measurement = name
        case .success: return .failure(.init("the measurement is empty"))
        case .failure(let error): return .failure(.init("measurement: \(error)"))
        }
        var tags: [Tag] = []
        for (key, template) in rule.tags {
            switch template.render(topicLevels: topicLevels, record: record) {
            case .success(let value) where !value.isEmpty: tags.append(Tag(key, value))
            case .success: return .failure(.init("tag \"\(key)\" is empty"))
            case .failure(let error): return .failure(.init("tag \"\(key)\": \(error)"))
            }
        }
        var timestamp = arrival
        if let source = rule.time {
            guard let value = MQTTRecord.value(at: source.path, in: record) else {
                return .failure(.init("time \"\(source.field)\" is absent"))
            }
            switch MQTTRecord.time(value, source: source) {
            case .success(let ns): timestamp = ns
            case .failure(let error): return .failure(error)
            }
        }
        switch fields(record, rule: rule) {
        case .success(let fields): return .success(Point(measurement: measurement, tags: tags, fields: fields, timestamp: timestamp))
        case .failure(let error): return .failure(error)
        }
    }

    /// Every scalar but the rule's tags and time; a later duplicate key wins, as in line protocol.
    static func fields(_ record: JSONValue, rule: MQTTRule) -> Result<[Field], MQTTMappingError> {
        var flat: [(key: String, value: JSONValue)] = []
        MQTTRecord.flatten(record, into: &flat)
        let reserved = rule.reservedKeys
        var fields: [Field] = []
        fields.reserveCapacity(flat.count)
        // Duplicate keys are rare (`{"a.b": 1, "a": {"b": 2}}`): a linear look for small
        // records, an index only for large ones, where a linear look would be quadratic.
        var position: [String: Int]? = flat.count > 16 ? [:] : nil
        let types = rule.fieldTypes
        for (key, value) in flat where !reserved.contains(key) {
            switch MQTTRecord.field(key, value, as: types.isEmpty ? nil : types[key]) {
            case .success(let fieldValue):
                let at = position != nil ? position![key] : fields.firstIndex(where: { $0.key == key })
                if let at {
                    fields[at] = Field(key, fieldValue)
                } else {
                    position?[key] = fields.count
                    fields.append(Field(key, fieldValue))
                }
            case .failure(let error):
                return .failure(error)
            }
        }
        guard !fields.isEmpty else { return .failure(.init("no fields (every key is a tag, the time or null)")) }
        return .success(fields)
    }
}
