import StrataCore
import StrataQuery

/// What a subscription selects and how its messages look. Subscriptions with equal keys
/// receive byte-identical data (apart from their id), so the fan-out encodes each batch
/// once per shape.
struct SubscriptionShape: Sendable {
    /// Database, measurement, filter (with any device allowlist), fields, start time, time
    /// format and window: everything that changes the bytes of a data message.
    var key: String
    var database: String
    /// Where the database's default retention policy keeps its data when the subscription
    /// began (docs/retention.md, "Retention policies"): what is scanned and what the
    /// fan-out matches batches against.
    var store: String
    var measurement: String
    var predicate: TagPredicate
    var formatter: SeriesFormatter
    /// A tag pinned to a set of values: the fan-out index looks series up by its value
    /// instead of evaluating the predicate of every subscription on the measurement.
    var pin: (tag: String, values: Set<String>)?
    /// Set for `every` subscriptions, which get aggregates instead of points.
    var window: WindowSpec?
    /// The filter per tag, sorted by tag, with a device allowlist applied: for the registry.
    var filterTags: [(String, TagCondition)] = []
    /// The same filter as a WHERE expression, for window queries; nil when none.
    var queryCondition: Expr?
}

extension SubscriptionShape {
    /// The series of `batch` this shape selects, encoded; nil when none has a row for it.
    func encode(_ batch: CommittedBatch) -> EncodedBatch? {
        guard batch.database == store else { return nil }
        let series = batch.series.filter { $0.key.measurement == measurement && predicate.evaluate($0.key) }
        return series.isEmpty ? nil : EncodedBatch(series, formatter: formatter)
    }

    /// The fields to scan (nil: all).
    var scanFields: Set<String>? { formatter.fields.map(Set.init) }
}
