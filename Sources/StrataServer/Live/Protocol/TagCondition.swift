import StrataCore
import StrataQuery

/// One tag's condition in a subscription's `where`: `"a"`, `["a","b"]`, `{"=~": re}`,
/// `{"!~": re}` or `{"!=": v}`. Conditions on different tags are ANDed.
enum TagCondition: Sendable, Equatable {
    case anyOf([String])
    case matches(String)
    case notMatches(String)
    case notEquals(String)

    /// The exact values the tag must take, when the condition pins it to a set: what the
    /// fan-out index keys on and what a device allowlist is checked against.
    var pinnedValues: Set<String>? {
        if case .anyOf(let values) = self { return Set(values) }
        return nil
    }

    /// Canonical text, part of a subscription's shape key and of the registry's filter.
    var canonical: String {
        switch self {
        case .anyOf(let values): "in:" + values.sorted().joined(separator: "\u{1}")
        case .matches(let re): "=~:" + re
        case .notMatches(let re): "!~:" + re
        case .notEquals(let v): "!=:" + v
        }
    }

    /// The condition for the index; a regular expression that does not compile is an error
    /// naming the tag.
    func predicate(tag: String) throws(LiveProtocolError) -> TagPredicate {
        switch self {
        case .anyOf(let values):
            return values.count == 1 ? .equals(tag, values[0]) : .isIn(tag, Set(values))
        case .matches(let pattern):
            let regex = try Self.compile(pattern, tag: tag)
            return .matches(tag, { regex.matches($0) })
        case .notMatches(let pattern):
            let regex = try Self.compile(pattern, tag: tag)
            return .matches(tag, { !regex.matches($0) })
        case .notEquals(let value):
            return .notEquals(tag, value)
        }
    }

    /// Compiled once per subscription shape (RE2, Go's syntax, as queries use; linear time).
    private static func compile(_ pattern: String, tag: String) throws(LiveProtocolError) -> CompiledRegex {
        do {
            return try CompiledRegex(pattern)
        } catch {
            throw LiveProtocolError("\"where\": tag \(tag): invalid regular expression \(pattern)")
        }
    }

    /// The condition as the client wrote it, for the registry.
    var json: String {
        switch self {
        case .anyOf(let values) where values.count == 1: Self.quote(values[0])
        case .anyOf(let values): "[" + values.map(Self.quote).joined(separator: ",") + "]"
        case .matches(let re): "{\"=~\":\(Self.quote(re))}"
        case .notMatches(let re): "{\"!~\":\(Self.quote(re))}"
        case .notEquals(let v): "{\"!=\":\(Self.quote(v))}"
        }
    }

    /// The condition as one member of an object: `"in":[…]`, `"=~":…`, `"!~":…`, `"!=":…`.
    var jsonMember: String {
        switch self {
        case .anyOf(let values): "\"in\":[" + values.map(Self.quote).joined(separator: ",") + "]"
        case .matches(let re): "\"=~\":\(Self.quote(re))"
        case .notMatches(let re): "\"!~\":\(Self.quote(re))"
        case .notEquals(let v): "\"!=\":\(Self.quote(v))"
        }
    }

    private static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        JSONBytes.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
