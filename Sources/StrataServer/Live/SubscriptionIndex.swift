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

    mutating func insert(_ shape: SubscriptionShape) {
        var bucket = buckets[shape.database]?[shape.measurement] ?? Bucket()
        if let pin = shape.pin {
            for value in pin.values { bucket.pinned[pin.tag, default: [:]][value, default: []].insert(shape.key) }
        } else {
            bucket.unpinned.insert(shape.key)
        }
        buckets[shape.database, default: [:]][shape.measurement] = bucket
    }

    mutating func remove(_ shape: SubscriptionShape) {
        guard var bucket = buckets[shape.database]?[shape.measurement] else { return }
        if let pin = shape.pin {
            for value in pin.values {
                bucket.pinned[pin.tag]?[value]?.remove(shape.key)
                if bucket.pinned[pin.tag]?[value]?.isEmpty == true { bucket.pinned[pin.tag]?[value] = nil }
            }
            if bucket.pinned[pin.tag]?.isEmpty == true { bucket.pinned[pin.tag] = nil }
        } else {
            bucket.unpinned.remove(shape.key)
        }
        buckets[shape.database]?[shape.measurement] = bucket.isEmpty ? nil : bucket
        if buckets[shape.database]?.isEmpty == true { buckets[shape.database] = nil }
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
