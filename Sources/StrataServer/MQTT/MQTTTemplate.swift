import StrataQuery

/// A tag value or measurement name made from a message (docs/mqtt.md, "Templates"): literal
/// text with `{topic.N}` (topic level N, from 0) and `{json.a.b}` (a value of the record).
struct MQTTTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case topicLevel(Int)
        case json([String])
    }

    let parts: [Part]

    init(parsing text: String) throws(MQTTRuleError.Reason) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{" else { throw .init("a \"}\" without its \"{\" in \"\(text)\"") }
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw .init("an unclosed \"{\" in \"\(text)\"")
            }
            parts.append(try Self.placeholder(rest[rest.index(after: open)..<close], in: text))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        guard !parts.isEmpty else { throw .init("an empty template") }
        self.parts = parts
    }

    private static func placeholder(_ name: Substring, in text: String) throws(MQTTRuleError.Reason) -> Part {
        if name.hasPrefix("topic.") {
            guard let level = Int(name.dropFirst(6)), level >= 0 else {
                throw .init("\"{\(name)}\" in \"\(text)\": a topic level is {topic.N} with N from 0")
            }
            return .topicLevel(level)
        }
        if name.hasPrefix("json.") {
            let path = name.dropFirst(5).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw .init("\"{\(name)}\" in \"\(text)\": a JSON path is {json.key} or {json.key.inner}")
            }
            return .json(path)
        }
        throw .init("\"{\(name)}\" in \"\(text)\": a placeholder is {topic.N} or {json.path}")
    }

    /// The highest topic level used, if any.
    var highestTopicLevel: Int? {
        parts.compactMap { if case .topicLevel(let n) = $0 { n } else { nil } }.max()
    }

    /// The JSON keys (dotted) this template reads.
    var jsonPaths: [String] {
        parts.compactMap { if case .json(let path) = $0 { path.joined(separator: ".") } else { nil } }
    }

    /// The text for one record, or why it cannot be made.
    func render(topicLevels: [Substring], record: JSONValue) -> Result<String, MQTTMappingError> {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text):
                out += text
            case .topicLevel(let n):
                guard n < topicLevels.count else {
                    return .failure(.init("the topic has no level \(n)"))
                }
                out += topicLevels[n]
            case .json(let path):
                guard let value = MQTTRecord.value(at: path, in: record) else {
                    return .failure(.init("the record has no \"\(path.joined(separator: "."))\""))
                }
                guard let text = MQTTRecord.tagText(value) else {
                    return .failure(.init("\"\(path.joined(separator: "."))\" is an object or array, not a tag value"))
                }
                out += text
            }
        }
        return .success(out)
    }
}
