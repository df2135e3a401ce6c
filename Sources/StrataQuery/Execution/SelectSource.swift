import StrataCore

/// Where a SELECT reads from: the storage engine (one database) or a subquery's result.
/// Call order: `measurements` to resolve FROM, then per measurement `fieldTypes`/`tagKeys`
/// to expand wildcards, then one `chunks` call. Unknown measurements give empty answers.
protocol SelectSource {
    /// Whether raw rows of several series come merged by time (storage) or series after
    /// series (a subquery's result, as InfluxDB passes it through).
    var mergesSeriesByTime: Bool { get }
    /// Whether each stored row is a point of its own (a subquery's result rows: the outer
    /// query answers every one, even where the columns it selects are null or are only
    /// tags), rather than a row existing where a selected field has a value (storage).
    var everyRowIsAPoint: Bool { get }
    func measurements(matching ref: MeasurementRef) throws(QueryError) -> [String]
    func fieldTypes(_ measurement: String) -> [String: FieldType]
    func tagKeys(_ measurement: String) -> [String]
    /// Series of `measurement` matching `tags`, restricted to `range` and `fields`, in series
    /// key order. `canSummarize(min, max)` allows a block of that span to come as header stats;
    /// `summaries` says what the caller folds of them (`StorageEngine.scanChunks`).
    func chunks(_ measurement: String, tags: TagPredicate, fields: Set<String>, range: ClosedRange<Int64>,
                canSummarize: (Int64, Int64) -> Bool, summaries: SummaryRequest?,
                statistics: inout ScanStatistics) throws(QueryError) -> [SeriesChunks]
}

extension SelectSource {
    func measurementNames(_ ref: MeasurementRef, all: [String]) throws(QueryError) -> [String] {
        if let name = ref.name { return all.contains(name) ? [name] : [] }
        if let pattern = ref.regex {
            let re = try CompiledRegex(pattern)
            return all.filter { re.matches($0) }
        }
        return all
    }
}

struct StorageSource: SelectSource {
    let engine: StorageEngine
    let database: String
    /// Only series matching this exist for the query (`QueryExecutor.restriction`).
    var restriction: TagPredicate? = nil
    /// `QueryExecutor.tiers`.
    var tiers = true
    /// Stops the scan between series once the query is stopped.
    var task: QueryTask? = nil
    var mergesSeriesByTime: Bool { true }
    var everyRowIsAPoint: Bool { false }

    func measurements(matching ref: MeasurementRef) throws(QueryError) -> [String] {
        let names = try measurementNames(ref, all: engine.measurements(database: database))
        guard let restriction else { return names }
        return names.filter { !engine.seriesKeys(database: database, measurement: $0, where: restriction).isEmpty }
    }

    /// The fields the visible series have: a restricted source does not learn the names of
    /// fields only other devices write (docs/auth.md).
    func fieldTypes(_ measurement: String) -> [String: FieldType] {
        guard let restriction else { return engine.fieldTypes(database: database, measurement: measurement) }
        return engine.fieldTypes(database: database, measurement: measurement, where: restriction)
    }

    func tagKeys(_ measurement: String) -> [String] {
        guard let restriction else { return engine.tagKeys(database: database, measurement: measurement) }
        let keys = engine.seriesKeys(database: database, measurement: measurement, where: restriction)
        return Set(keys.flatMap { $0.tags.map(\.key) }).sorted()
    }

    /// The keys of the series a read with `tags` covers.
    func seriesKeys(_ measurement: String, tags: TagPredicate) -> [SeriesKey] {
        engine.seriesKeys(database: database, measurement: measurement, where: narrowed(tags))
    }

    /// Where those series' rows lie in `range` (`StorageEngine.rowSpans`).
    /// `tierFields`: the fields of an aggregate that may read tiers (ignored with tiers off).
    func rowSpans(_ measurement: String, tags: TagPredicate, range: ClosedRange<Int64>,
                  tierFields: Set<String>? = nil) -> [RowSpan] {
        engine.rowSpans(database: database, measurement: measurement, where: narrowed(tags), range: range,
                        tierFields: tiers ? tierFields : nil)
    }

    /// `rowSpans` one by one (`StorageEngine.forEachRowSpan`).
    func forEachRowSpan(_ measurement: String, tags: TagPredicate, range: ClosedRange<Int64>,
                        tierFields: Set<String>? = nil, _ body: (RowSpan) -> Void) {
        engine.forEachRowSpan(database: database, measurement: measurement, where: narrowed(tags), range: range,
                              tierFields: tiers ? tierFields : nil, body)
    }

    private func narrowed(_ tags: TagPredicate) -> TagPredicate {
        restriction.map { TagPredicate.and([tags, $0]) } ?? tags
    }

    func chunks(_ measurement: String, tags: TagPredicate, fields: Set<String>, range: ClosedRange<Int64>,
                canSummarize: (Int64, Int64) -> Bool, summaries: SummaryRequest?,
                statistics: inout ScanStatistics) throws(QueryError) -> [SeriesChunks] {
        do {
            let narrowed = restriction.map { TagPredicate.and([tags, $0]) } ?? tags
            return try engine.scanChunks(database: database, measurement: measurement, where: narrowed, fields: fields,
                                         range: range, canSummarize: canSummarize, tiers: tiers, summaries: summaries,
                                         statistics: &statistics, stop: task?.scanStop)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError("reading \(measurement): \(error)")
        }
    }
}

/// A subquery's result seen as measurements: each result series is a series whose tags are
/// its group tags and whose fields are its columns.
struct SubquerySource: SelectSource {
    private var series: [String: [SeriesRows]] = [:]
    private var types: [String: [String: FieldType]] = [:]
    var mergesSeriesByTime: Bool { false }
    var everyRowIsAPoint: Bool { true }

    init(_ results: [ResultSeries]) {
        for r in results {
            let key = SeriesKey(measurement: r.name, tags: r.tags.map { Tag($0.key, $0.value) })
            var rows = SeriesRows(key: key)
            guard let timeIndex = r.columns.firstIndex(of: "time") else { continue }
            rows.timestamps = r.values.map { if case .time(let t) = $0[timeIndex] { return t } else { return 0 } }
            for (c, name) in r.columns.enumerated() where c != timeIndex {
                let values = r.values.map { $0[c] }
                guard let type = Self.type(of: values) else { continue }
                var column = ColumnData(type: type)
                for v in values {
                    if let value = Self.fieldValue(v, as: type) { column.append(value) } else { column.appendNull() }
                }
                rows.columns[name] = column
                types[r.name, default: [:]][name] = type
            }
            series[r.name, default: []].append(rows)
        }
        for name in series.keys { series[name]!.sort { $0.key < $1.key } }
    }

    private static func type(of values: [QueryValue]) -> FieldType? {
        for v in values {
            switch v {
            case .float: return .float
            case .integer, .time: return .integer
            case .unsigned: return .unsigned
            case .boolean: return .boolean
            case .string: return .string
            case .null: continue
            }
        }
        return nil
    }

    private static func fieldValue(_ v: QueryValue, as type: FieldType) -> FieldValue? {
        switch (v, type) {
        case (.float(let d), .float): return .float(d)
        case (.integer(let i), .float): return .float(Double(i))
        case (.integer(let i), .integer), (.time(let i), .integer): return .integer(i)
        case (.unsigned(let u), .unsigned): return .unsigned(u)
        case (.boolean(let b), .boolean): return .boolean(b)
        case (.string(let s), .string): return .string(s)
        default: return nil
        }
    }

    func measurements(matching ref: MeasurementRef) throws(QueryError) -> [String] {
        try measurementNames(ref, all: series.keys.sorted())
    }

    func fieldTypes(_ measurement: String) -> [String: FieldType] { types[measurement] ?? [:] }

    func tagKeys(_ measurement: String) -> [String] {
        Array(Set((series[measurement] ?? []).flatMap { $0.key.tags.map(\.key) })).sorted()
    }

    func chunks(_ measurement: String, tags: TagPredicate, fields: Set<String>, range: ClosedRange<Int64>,
                canSummarize: (Int64, Int64) -> Bool, summaries: SummaryRequest?,
                statistics: inout ScanStatistics) throws(QueryError) -> [SeriesChunks] {
        (series[measurement] ?? []).compactMap { rows in
            guard tags.evaluate(rows.key) else { return nil }
            let lo = rows.timestamps.partitioningIndex { $0 >= range.lowerBound }
            let hi = rows.timestamps.partitioningIndex { $0 > range.upperBound }
            var picked = SeriesRows(key: rows.key)
            picked.timestamps = Array(rows.timestamps[lo..<hi])
            for (name, column) in rows.columns where fields.contains(name) {
                var c = ColumnData(type: column.type)
                c.append(contentsOf: column, range: lo..<hi)
                picked.columns[name] = c
            }
            return SeriesChunks(key: rows.key, chunks: [.rows(picked)])
        }
    }
}
