/// A condition on a series' tags, as a query's WHERE clause pushes it down to the index.
public indirect enum TagPredicate: Sendable {
    case all
    /// The tag equals the value; a missing tag is the empty string (InfluxQL's rule).
    case equals(String, String)
    case notEquals(String, String)
    /// The tag's value is one of these.
    case isIn(String, Set<String>)
    /// The tag's value (empty when missing) satisfies a test, e.g. a regular expression.
    case matches(String, @Sendable (String) -> Bool)
    case and([TagPredicate])
    case or([TagPredicate])
    case not(TagPredicate)

    public func evaluate(_ key: SeriesKey) -> Bool {
        switch self {
        case .all: return true
        case let .equals(tag, value): return (key.tagValue(tag) ?? "") == value
        case let .notEquals(tag, value): return (key.tagValue(tag) ?? "") != value
        case let .isIn(tag, values): return values.contains(key.tagValue(tag) ?? "")
        case let .matches(tag, test): return test(key.tagValue(tag) ?? "")
        case let .and(parts): return parts.allSatisfy { $0.evaluate(key) }
        case let .or(parts): return parts.contains { $0.evaluate(key) }
        case let .not(inner): return !inner.evaluate(key)
        }
    }
}
