extension StorageEngine {
    /// Measurements of a database that have series, sorted.
    public func measurements(database: String) -> [String] {
        state.withLock { $0.index.measurements(database: database) }
    }

    /// Field names and types of a measurement; empty once every series of it was dropped.
    /// (The types themselves are kept: segments may still hold masked rows of them, and a
    /// column has one type. See docs/decisions.md.)
    public func fieldTypes(database: String, measurement: String) -> [String: FieldType] {
        state.withLock { s in
            guard s.index.hasSeries(database: database, measurement: measurement) else { return [:] }
            return s.fieldTypes[database]?[measurement] ?? [:]
        }
    }

    /// Field names and types of the fields that at least one live series of the measurement
    /// satisfying `predicate` has been written with (or holds in a file), for a caller
    /// limited to those series: fields only other series have stay hidden. Types come from
    /// the measurement's map. With `.all` this is `fieldTypes(database:measurement:)`,
    /// which also lists fields that only dropped series had; any other predicate, even one
    /// every series satisfies, lists only live series' fields.
    ///
    /// A field stays listed for a series after a bounded DELETE removed all its values
    /// (as the per-measurement map does); it goes when the series is dropped.
    public func fieldTypes(database: String, measurement: String, where predicate: TagPredicate) -> [String: FieldType] {
        if case .all = predicate { return fieldTypes(database: database, measurement: measurement) }
        return state.withLock { s in
            guard let types = s.fieldTypes[database]?[measurement] else { return [:] }
            var out: [String: FieldType] = [:]
            for name in s.index.fieldNames(database: database, measurement: measurement, where: predicate) {
                if let type = types[name] { out[name] = type }
            }
            return out
        }
    }

    /// Whether any live series of the database, in any measurement, satisfies `predicate`
    /// (e.g. whether a token limited to some devices can see anything in it). From the
    /// index's posting lists where the predicate pins a tag; stops at the first match.
    public func hasSeries(database: String, where predicate: TagPredicate) -> Bool {
        state.withLock { $0.index.hasSeries(database: database, where: predicate) }
    }

    /// Tag keys of a measurement's series, sorted. From the series index: nothing decoded.
    public func tagKeys(database: String, measurement: String) -> [String] {
        state.withLock { $0.index.tagKeys(database: database, measurement: measurement) }
    }

    /// Distinct values of tag `key` among the measurement's series that satisfy `predicate`,
    /// sorted; series without the tag contribute none.
    public func tagValues(database: String, measurement: String, key: String, where predicate: TagPredicate = .all) -> [String] {
        state.withLock { $0.index.tagValues(database: database, measurement: measurement, key: key, where: predicate) }
    }

    /// Keys of the measurement's series that satisfy `predicate`, sorted.
    public func seriesKeys(database: String, measurement: String, where predicate: TagPredicate = .all) -> [SeriesKey] {
        let keys = state.withLock { s in
            s.index.select(database: database, measurement: measurement, where: predicate).map { s.index.entries[Int($0)].key }
        }
        return keys.map { ($0.description, $0) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.map(\.1)
    }
}
