import StrataCore

/// `SHOW … CARDINALITY` (docs/influxql.md, "SHOW … CARDINALITY"). InfluxDB 1.x rewrites
/// these into `SELECT count(distinct(…)) AS count … GROUP BY` its measurement, except an
/// estimate of all series or all measurements, which it answers from sketches. Strata
/// counts from its series index, exactly, in the same answer shapes.
extension QueryExecutor {
    func showCardinality(_ s: ShowCardinality, _ database: String?) throws(QueryError) -> [ResultSeries] {
        switch s.counted {
        case .fieldKeys(let f):
            let db = try indexScope(f.database, requestDatabase: database)
            return try perMeasurement(db, f.sources, limit: f.limit, offset: f.offset) { m in
                db.fieldTypes(m, where: restriction ?? .all).count
            }
        case .tagKeys(let t):
            let db = try indexScope(t.database, requestDatabase: database)
            let predicate = try Self.cardinalityCondition(t.condition, s).map(tagCondition) ?? restricted(.all)
            return try perMeasurement(db, t.sources, limit: t.limit, offset: t.offset) { m in
                Set(db.seriesKeys(m, where: predicate).flatMap { $0.tags.map(\.key) }).count
            }
        case .tagValues(let t):
            let db = try indexScope(t.database, requestDatabase: database)
            let predicate = try Self.cardinalityCondition(t.condition, s).map(tagCondition) ?? restricted(.all)
            let keyMatches = try Self.keyMatcher(t.key)
            return try perMeasurement(db, t.sources, limit: t.limit, offset: t.offset) { m in
                var pairs = Set<Tag>()
                for key in db.seriesKeys(m, where: predicate) {
                    for tag in key.tags where keyMatches(tag.key) { pairs.insert(tag) }
                }
                // InfluxDB counts distinct values over the keys asked, not key–value pairs.
                return Set(pairs.map(\.value)).count
            }
        case .series(let t):
            let db = try indexScope(t.database, requestDatabase: database)
            let predicate = try Self.cardinalityCondition(t.condition, s).map(tagCondition) ?? restricted(.all)
            let counts = try perMeasurementCounts(db, t.sources) { m in
                db.seriesKeys(m, where: predicate).count
            }
            if !s.exact, t.sources.isEmpty, t.condition == nil, t.limit == 0, t.offset == 0 {
                return Self.estimate(counts.reduce(0) { $0 + $1.count })
            }
            return Self.countSeries(counts, limit: t.limit, offset: t.offset)
        case .measurements(let t):
            let db = try indexScope(t.database, requestDatabase: database)
            _ = try Self.cardinalityCondition(t.condition, s)
            let names = try measurements(db, t)
            if !s.exact, t.source == nil, t.condition == nil, t.limit == 0, t.offset == 0 {
                return Self.estimate(names.count)
            }
            let rows = Self.paged([[QueryValue.integer(Int64(names.count))]], limit: t.limit, offset: t.offset)
            return names.isEmpty || rows.isEmpty ? [] : [ResultSeries(name: "", columns: ["count"], values: rows)]
        }
    }

    /// The statement's condition, refused where it tests time (InfluxDB: "… doesn't support
    /// time in WHERE clause").
    private static func cardinalityCondition(_ condition: Expr?, _ s: ShowCardinality) throws(QueryError) -> Expr? {
        guard let condition else { return nil }
        if WhereClause.mentionsTime(condition) { throw QueryError("\(s.keyword) doesn't support time in WHERE clause") }
        return condition
    }

    /// Per measurement named by `sources`, `count(m)`, where it is above zero.
    private func perMeasurementCounts(_ db: IndexScope, _ sources: [MeasurementRef],
                                      _ count: (String) -> Int) throws(QueryError) -> [(name: String, count: Int)] {
        try measurements(db, sources).compactMap { m in
            let n = count(m)
            return n > 0 ? (m, n) : nil
        }
    }

    private func perMeasurement(_ db: IndexScope, _ sources: [MeasurementRef], limit: Int, offset: Int,
                                _ count: (String) -> Int) throws(QueryError) -> [ResultSeries] {
        Self.countSeries(try perMeasurementCounts(db, sources, count), limit: limit, offset: offset)
    }

    /// One series per measurement holding its count: LIMIT and OFFSET apply to each
    /// series' one row, as they do to InfluxDB's rewritten SELECT.
    private static func countSeries(_ counts: [(name: String, count: Int)], limit: Int, offset: Int) -> [ResultSeries] {
        counts.compactMap { name, count in
            let rows = paged([[QueryValue.integer(Int64(count))]], limit: limit, offset: offset)
            return rows.isEmpty ? nil : ResultSeries(name: name, columns: ["count"], values: rows)
        }
    }

    /// InfluxDB's answer to an estimate; Strata's number is exact.
    private static func estimate(_ n: Int) -> [ResultSeries] {
        [ResultSeries(name: "", columns: ["cardinality estimation"], values: [[.integer(Int64(n))]])]
    }
}
