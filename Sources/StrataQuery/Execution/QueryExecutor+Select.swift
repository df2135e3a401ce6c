import Foundation
import StrataCore

extension QueryExecutor {
    /// A SELECT's result series across its sources, ordered by measurement then tags, with
    /// SLIMIT/SOFFSET applied.
    func select(_ stmt: SelectStatement, database: String?, now: Int64, nested: Bool = false, report: inout ExplainReport) throws(QueryError) -> [ResultSeries] {
        var resolved: [(source: any SelectSource, measurements: [String])] = []
        for source in stmt.sources {
            switch source {
            case .measurement(let ref):
                let db = try requireStore(ref.database, policy: ref.retentionPolicy, requestDatabase: database)
                let storage = StorageSource(engine: engine, database: db, restriction: restriction, tiers: tiers, task: task)
                resolved.append((storage, try storage.measurements(matching: ref)))
            case .subquery(let inner):
                let innerStmt = Self.inheritingTags(Self.inheritingTime(inner, from: stmt), from: stmt)
                let innerSeries = try select(innerStmt, database: database, now: now, nested: true, report: &report)
                let subquery = SubquerySource(innerSeries)
                resolved.append((subquery, try subquery.measurements(matching: MeasurementRef())))
            }
        }
        var fieldTypes: [String: FieldType] = [:]
        var tagKeys = Set<String>()
        for r in resolved {
            let s = SelectExecutor.Schema(r.source, r.measurements)
            fieldTypes.merge(s.fieldTypes) { first, _ in first }
            tagKeys.formUnion(s.tagKeys)
        }
        var out: [ResultSeries] = []
        for r in resolved {
            var schema = SelectExecutor.Schema(r.source, [])
            schema.fieldTypes = fieldTypes
            schema.tagKeys = tagKeys.sorted()
            var executor = SelectExecutor(source: r.source, statement: stmt, now: now, task: task)
            executor.nested = nested
            for m in r.measurements { out += try executor.run(measurement: m, schema: schema) }
            report.add(executor)
        }
        out.sort(by: ResultSeries.precedes)
        // InfluxDB walks series backwards too when time runs backwards.
        if stmt.descending { out.reverse() }
        if stmt.seriesOffset > 0 { out = Array(out.dropFirst(stmt.seriesOffset)) }
        if stmt.seriesLimit > 0 { out = Array(out.prefix(stmt.seriesLimit)) }
        if let zone = stmt.zone { for i in out.indices { out[i].zone = zone } }
        return out
    }

    /// InfluxDB groups a subquery by the outer query's tags too (the inner iterators take
    /// the outer GROUP BY), so `SELECT min(v) FROM (SELECT top(x, 2), … FROM cpu) GROUP BY
    /// host` takes the top two of each host.
    static func inheritingTags(_ inner: SelectStatement, from outer: SelectStatement) -> SelectStatement {
        var inner = inner
        for d in outer.dimensions where !inner.dimensions.contains(d) {
            if case .time = d { continue }
            inner.dimensions.append(d)
        }
        return inner
    }

    /// InfluxDB narrows a subquery to the outer query's time range.
    static func inheritingTime(_ inner: SelectStatement, from outer: SelectStatement) -> SelectStatement {
        guard let condition = outer.condition else { return inner }
        let timeParts = WhereClause.conjuncts(condition).filter(WhereClause.mentionsTime)
        guard !timeParts.isEmpty else { return inner }
        var inner = inner
        let time = Expr.joined(timeParts, by: .and)!
        inner.condition = inner.condition.map { .binary(.and, .paren($0), time) } ?? time
        return inner
    }
}

extension ResultSeries {
    /// The order of a SELECT's series: by measurement, then by tags compared key by key in
    /// key order.
    static func precedes(_ a: ResultSeries, _ b: ResultSeries) -> Bool {
        if a.name != b.name { return a.name < b.name }
        return tagsPrecede(a.tags, b.tags)
    }

    static func tagsPrecede(_ a: [String: String], _ b: [String: String]) -> Bool {
        a.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }
            .lexicographicallyPrecedes(b.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }) { $0.lexicographicallyPrecedes($1) }
    }
}
