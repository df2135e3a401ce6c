import StrataCore

/// Which shapes a series may match, by database and measurement and, for shapes that pin a
/// tag to a set of values, by that tag's value: a batch costs a few dictionary lookups per
/// series, however many subscriptions there are.
struct SubscriptionIndex: Sendable {
    struct Bucket: Sendable {
        /// tag → value → shape keys.
        var pinned: [String: [String: Set<String>]] = [:]
        /// Shapes whose predicate is evaluated for every series of the measurement.
        var unpinned: Set<String> = []

        var isEmpty: Bool { pinned.isEmpty && unpinned.isEmpty }
    }

    /// database → measurement → bucket.
    private(set) var buckets: [String: [String: Bucket]] = [:]

    // Both mutate the bucket in place, through the dictionaries' `default:` subscripts: a
    // bucket copied out, changed and stored back copied all its sets each time, which made
    // inserting or removing n subscriptions of one measurement take time quadratic in n.
    mutating func insert(_ shape: SubscriptionShape) {
        Self.modify(&buckets[shape.store, default: [:]][shape.measurement, default: Bucket()], shape, inserting: true)
    }

    mutating func remove(_ shape: SubscriptionShape) {
        guard buckets[shape.store]?[shape.measurement] != nil else { return }
        Self.modify(&buckets[shape.store, default: [:]][shape.measurement, default: Bucket()], shape, inserting: false)
        if buckets[shape.store]?[shape.measurement]?.isEmpty == true { buckets[shape.store]?[shape.measurement] = nil }
        if buckets[shape.store]?.isEmpty == true { buckets[shape.store] = nil }
    }

    private static func modify(_ bucket: inout Bucket, _ shape: SubscriptionShape, inserting: Bool) {
        guard let pin = shape.pin else {
            if inserting { bucket.unpinned.insert(shape.key) } else { bucket.unpinned.remove(shape.key) }
            return
        }
        for value in pin.values {
            if inserting {
                bucket.pinned[pin.tag, default: [:]][value, default: []].insert(shape.key)
            } else {
                bucket.pinned[pin.tag]?[value]?.remove(shape.key)
                if bucket.pinned[pin.tag]?[value]?.isEmpty == true { bucket.pinned[pin.tag]?[value] = nil }
            }
        }
        if bucket.pinned[pin.tag]?.isEmpty == true { bucket.pinned[pin.tag] = nil }
    }

    /// The measurements of `database` that have subscriptions, or nil.
    func measurements(of database: String) -> [String: Bucket]? { buckets[database] }
}

extension SubscriptionIndex.Bucket {
    /// Shape keys that may match `key` (each at most once; the caller still evaluates the
    /// shape's predicate, which has the other conditions).
    func forEachCandidate(_ key: SeriesKey, _ body: (String) -> Void) {
        for shape in unpinned { body(shape) }
        for (tag, byValue) in pinned {
            guard let shapes = byValue[key.tagValue(tag) ?? ""] else { continue }
            for shape in shapes { body(shape) }
        }
    }
}
