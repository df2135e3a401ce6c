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
