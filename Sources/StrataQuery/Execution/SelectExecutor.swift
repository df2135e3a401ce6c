import StrataCore

/// Runs one SELECT against one source, measurement by measurement. See docs/influxql.md for
/// the InfluxDB behaviours it reproduces.
struct SelectExecutor {
    let source: any SelectSource
    let statement: SelectStatement
    let now: Int64
    var statistics = ScanStatistics()
    /// Running as a subquery: InfluxDB then leaves empty count() buckets null, not 0.
    var nested = false
    /// Time spent reading (index, blocks, decoding) and computing, for EXPLAIN ANALYZE.
    var scanTime = Duration.zero
    var computeTime = Duration.zero
    /// The plan of each measurement, for EXPLAIN.
    var planNotes: [String] = []

    /// The query's limits and stop flag.
    let task: QueryTask
    /// Whether each read counts its series against `max-select-series`; a streamed scan
    /// reads the same series once per window and counts them once, up front.
    var countsSeriesPerRead = true
    /// Rows a window of a streamed raw scan is cut to (`streamWindowRows`).
    var windowRows = SelectExecutor.streamWindowRows
    /// Rows a window of a streamed aggregate is cut to; nil: `aggregateWindowBytes` of them.
    var aggregateWindowRows: Int?

    init(source: any SelectSource, statement: SelectStatement, now: Int64, task: QueryTask = .ungoverned()) {
        self.source = source
        self.statement = statement
        self.now = now
        self.task = task
    }

    /// The fields and tags wildcards expand to: InfluxDB expands them over every measurement
    /// of the FROM clause together, so each measurement's series carry the same columns.
    struct Schema {
        var fieldTypes: [String: FieldType] = [:]
        var tagKeys: [String] = []

        init(_ source: any SelectSource, _ measurements: [String]) {
            var tags = Set<String>()
            for m in measurements {
                fieldTypes.merge(source.fieldTypes(m)) { first, _ in first }
                tags.formUnion(source.tagKeys(m))
            }
            tagKeys = tags.sorted()
        }
    }

    /// The result series of `measurement`, ordered by tags.
    mutating func run(measurement: String, schema: Schema) throws(QueryError) -> [ResultSeries] {
        guard let context = try prepare(measurement: measurement, schema: schema) else { return [] }
        return try run(context)
    }

    /// The plan and bounds of reading `measurement`; nil when nothing can match.
    mutating func prepare(measurement: String, schema: Schema) throws(QueryError) -> Context? {
        let fieldTypes = schema.fieldTypes
        let plan = try SelectPlan(statement, fieldTypes: fieldTypes, tagKeys: schema.tagKeys)
        let clause = try WhereClause(statement.condition, fields: Set(fieldTypes.keys), now: now, zone: statement.zone)
        guard !clause.isEmptyRange else { return nil }
        let lo = clause.timeMin ?? WhereClause.minTime
        let hi = clause.timeMax ?? (plan.interval > 0 ? now : WhereClause.maxTime)
        guard lo <= hi else { return nil }
        var fields = plan.fieldsToRead
        fields.formUnion(RowEvaluator.fields(of: clause.rowFilter, fieldTypes: fieldTypes))
        for call in plan.calls where fieldTypes[call.field] != nil { fields.insert(call.field) }
        // Only tags from storage: no row exists. A subquery's rows stand on their own.
        guard !fields.isEmpty || source.everyRowIsAPoint else { return nil }
        let context = Context(measurement: measurement, plan: plan, clause: clause, lo: lo, hi: hi, fields: fields,
                              evaluator: RowEvaluator(fieldTypes: fieldTypes))
        planNotes += Self.describe(context, calls: plan.calls, tiers: tierSetting)
        return context
    }

    /// Every result series of a prepared measurement, with ORDER BY, OFFSET and LIMIT
    /// applied and empty series left out.
    mutating func run(_ context: Context) throws(QueryError) -> [ResultSeries] {
        var series: [ResultSeries]
        switch context.plan.kind {
        case .raw: series = try runRaw(context)
        case .rawTransform: series = try runRawTransform(context)
        case .aggregate: series = try runAggregate(context)
        }
        for i in series.indices {
            if statement.descending { series[i].values.reverse() }
            if statement.offset > 0 || statement.limit > 0 {
                let rows = series[i].values.dropFirst(statement.offset)
                series[i].values = Array(statement.limit > 0 ? rows.prefix(statement.limit) : rows)
            }
        }
        return series.filter { !$0.values.isEmpty }
    }

    /// Reads chunks, timing it.
    mutating func readChunks(_ c: Context, from lo: Int64, canSummarize: (Int64, Int64) -> Bool,
                             summaries: SummaryRequest? = nil) throws(QueryError) -> [SeriesChunks] {
        let clock = ContinuousClock()
        let start = clock.now
        defer { scanTime += clock.now - start }
        // Points read: rows decoded from blocks and rows taken from the in-memory head.
        let decodedBefore = statistics.rowsDecoded + statistics.headRows
        let chunks = try source.chunks(c.measurement, tags: c.clause.tags, fields: c.fields, range: lo...c.hi,
                                       canSummarize: canSummarize, summaries: summaries, statistics: &statistics)
        if countsSeriesPerRead { try task.count(series: chunks.count) }
        let rows = statistics.rowsDecoded + statistics.headRows - decodedBefore
        try task.count(points: rows)
        try task.holdForStatement(QueryMemory.bytes(decodedRows: rows, fields: c.fields.count))
        return chunks
    }

    struct Context {
        var measurement: String
        var plan: SelectPlan
        var clause: WhereClause
        var lo: Int64
        var hi: Int64
        var fields: Set<String>
        var evaluator: RowEvaluator
    }

    /// The group a series belongs to: its values of the GROUP BY tags ("" when absent).
    static func groupKey(_ key: SeriesKey, _ tags: [String]) -> [String] {
        tags.map { key.tagValue($0) ?? "" }
    }

    static func tagMap(_ tags: [String], _ values: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(tags, values))
    }

    /// Series grouped by GROUP BY tags, groups in tag-value order, series in key order.
    func grouped(_ all: [SeriesChunks], by tags: [String]) -> [(key: [String], series: [SeriesChunks])] {
        var groups: [[String]: [SeriesChunks]] = [:]
        for s in all { groups[Self.groupKey(s.key, tags), default: []].append(s) }
        return groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }

    /// All rows of a series as one SeriesRows (its chunks are time-ordered and disjoint).
    static func concatenated(_ s: SeriesChunks, fields: Set<String>, fieldTypes: [String: FieldType]) -> SeriesRows {
        if s.chunks.count == 1, case .rows(let rows) = s.chunks[0] { return rows }
        var out = SeriesRows(key: s.key)
        for name in fields { if let t = fieldTypes[name] { out.columns[name] = ColumnData(type: t) } }
        for chunk in s.chunks {
            guard case .rows(let rows) = chunk else { continue }
            out.timestamps.append(contentsOf: rows.timestamps)
            for name in out.columns.keys {
                if let c = rows.columns[name] {
                    out.columns[name]!.append(contentsOf: c, range: 0..<c.count)
                } else {
                    out.columns[name]!.appendNullRows(rows.count)
                }
            }
        }
        return out
    }

    static func seriesOrder(_ rows: [SeriesRows]) -> [(Int, Int)] {
        rows.enumerated().flatMap { s, r in r.timestamps.indices.map { (s, $0) } }
    }

    /// Rows of several series merged by time (ties in series order): (series index, row).
    static func mergedOrder(_ rows: [SeriesRows]) -> [(Int, Int)] {
        if rows.count == 1 { return rows[0].timestamps.indices.map { (0, $0) } }
        var order: [(Int, Int)] = []
        order.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for (s, r) in rows.enumerated() { for i in 0..<r.count { order.append((s, i)) } }
        order.sort { a, b in
            let ta = rows[a.0].timestamps[a.1], tb = rows[b.0].timestamps[b.1]
            return ta != tb ? ta < tb : a.0 < b.0
        }
        return order
    }
}
