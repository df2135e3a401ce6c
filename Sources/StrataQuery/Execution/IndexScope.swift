import StrataCore

/// What SHOW statements read: the series index of a database across all its raw retention
/// policies, as InfluxDB's index spans them. Each policy's store has an index of its own;
/// answers are their union, each name or series once.
struct IndexScope {
    let engine: StorageEngine
    /// The database's stores, its first policy's first.
    let stores: [String]

    /// Measurement names matching `ref`, sorted; with a restriction, those holding one of
    /// its series.
    func measurements(matching ref: MeasurementRef, restriction: TagPredicate?) throws(QueryError) -> [String] {
        var out = Set<String>()
        for store in stores {
            let source = StorageSource(engine: engine, database: store, restriction: restriction)
            out.formUnion(try source.measurements(matching: ref))
        }
        return out.sorted()
    }

    /// In key order.
    func seriesKeys(_ measurement: String, where predicate: TagPredicate) -> [SeriesKey] {
        guard stores.count > 1 else { return stores.first.map { seriesKeys($0, measurement, predicate) } ?? [] }
        return Set(stores.flatMap { seriesKeys($0, measurement, predicate) }).sorted()
    }

    private func seriesKeys(_ store: String, _ measurement: String, _ predicate: TagPredicate) -> [SeriesKey] {
        engine.seriesKeys(database: store, measurement: measurement, where: predicate)
    }

    func tagKeys(_ measurement: String) -> [String] {
        Set(stores.flatMap { engine.tagKeys(database: $0, measurement: measurement) }).sorted()
    }

    func tagValues(_ measurement: String, key: String, where predicate: TagPredicate) -> [String] {
        Set(stores.flatMap { engine.tagValues(database: $0, measurement: measurement, key: key, where: predicate) }).sorted()
    }

    /// A field's type is the first policy's that has it (one store's column has one type).
    func fieldTypes(_ measurement: String, where predicate: TagPredicate) -> [String: FieldType] {
        var out: [String: FieldType] = [:]
        for store in stores {
            out.merge(engine.fieldTypes(database: store, measurement: measurement, where: predicate)) { first, _ in first }
        }
        return out
    }
}
