import StrataCore

extension QueryExecutor {
    func executeOther(_ statement: Statement, database: String?, now: Int64) throws(QueryError) -> StatementResult {
        switch statement {
        case .showMeasurements(let s): return StatementResult(statementID: 0, series: try showMeasurements(s, database))
        case .showSeries(let s): return StatementResult(statementID: 0, series: try showSeries(s, database))
        case .showTagKeys(let s): return StatementResult(statementID: 0, series: try showTagKeys(s, database))
        case .showTagValues(let s): return StatementResult(statementID: 0, series: try showTagValues(s, database))
        case .showFieldKeys(let s): return StatementResult(statementID: 0, series: try showFieldKeys(s, database))
        case .showCardinality(let s): return StatementResult(statementID: 0, series: try showCardinality(s, database))
        case .showRetentionPolicies(let db): return try showRetentionPolicies(db ?? database)
        case .showRollups(let db): return try showRollups(db ?? database)
        case .showShards: return showShards()
        case .showQueries: return try showQueries()
        case .killQuery(let id): return try killQuery(id)
        case .createRetentionPolicy(let s): return try createRetentionPolicy(s)
        case .alterRetentionPolicy(let s): return try alterRetentionPolicy(s)
        default:
            throw QueryError("statement not supported yet")
        }
    }

    /// The measurements named by FROM (all of them when FROM is absent).
    func measurements(_ db: IndexScope, _ refs: [MeasurementRef]) throws(QueryError) -> [String] {
        guard !refs.isEmpty else { return try db.measurements(matching: MeasurementRef(), restriction: restriction) }
        var out = Set<String>()
        for ref in refs { out.formUnion(try db.measurements(matching: ref, restriction: restriction)) }
        return out.sorted()
    }

    /// The index SHOW statements read: every raw policy of `database` (the request's when nil).
    func indexScope(_ database: String?, requestDatabase: String?) throws(QueryError) -> IndexScope {
        let db = try requireDatabase(database ?? requestDatabase)
        return IndexScope(engine: engine, stores: engine.stores(database: db).map(\.store))
    }

    /// SHOW conditions may only test tags; a time bound is accepted and ignored, as InfluxDB
    /// 1.x ignores it for the in-memory index. Narrowed to the executor's restriction.
    func tagCondition(_ condition: Expr?) throws(QueryError) -> TagPredicate {
        restricted(try WhereClause(condition, fields: [], now: 0).tags)
    }

    /// `predicate` and the restriction, if any.
    func restricted(_ predicate: TagPredicate) -> TagPredicate {
        guard let restriction else { return predicate }
        if case .all = predicate { return restriction }
        return .and([predicate, restriction])
    }

    static func paged<T>(_ items: [T], limit: Int, offset: Int) -> [T] {
        let rest = items.dropFirst(offset)
        return Array(limit > 0 ? rest.prefix(limit) : rest)
    }

    private func showMeasurements(_ s: ShowMeasurements, _ database: String?) throws(QueryError) -> [ResultSeries] {
        if let condition = s.condition, WhereClause.mentionsTime(condition) {
            throw QueryError("SHOW MEASUREMENTS doesn't support time in WHERE clause")
        }
        let db = try indexScope(s.database, requestDatabase: database)
        let names = Self.paged(try measurements(db, s), limit: s.limit, offset: s.offset)
        guard !names.isEmpty else { return [] }
        return [ResultSeries(name: "measurements", columns: ["name"], values: names.map { [.string($0)] })]
    }

    /// The measurements `s` names that hold a series its condition (and the restriction)
    /// matches.
    func measurements(_ db: IndexScope, _ s: ShowMeasurements) throws(QueryError) -> [String] {
        let names = try measurements(db, s.source.map { [$0] } ?? [])
        guard s.condition != nil || restriction != nil else { return names }
        let predicate = try tagCondition(s.condition)
        return names.filter { !db.seriesKeys($0, where: predicate).isEmpty }
    }

    private func showSeries(_ s: ShowSeries, _ database: String?) throws(QueryError) -> [ResultSeries] {
        let db = try indexScope(s.database, requestDatabase: database)
        let predicate = try tagCondition(s.condition)
        var keys: [String] = []
        for m in try measurements(db, s.sources) {
            keys += db.seriesKeys(m, where: predicate).map(\.description)
        }
        keys = Self.paged(keys.sorted(), limit: s.limit, offset: s.offset)
        guard !keys.isEmpty else { return [] }
        return [ResultSeries(name: "", columns: ["key"], values: keys.map { [.string($0)] })]
    }

    private func showTagKeys(_ s: ShowTagKeys, _ database: String?) throws(QueryError) -> [ResultSeries] {
        let db = try indexScope(s.database, requestDatabase: database)
        let predicate = try tagCondition(s.condition)
        var out: [ResultSeries] = []
        for m in try measurements(db, s.sources) {
            var keys: [String]
            if case .all = predicate {
                keys = db.tagKeys(m)
            } else {
                keys = Array(Set(db.seriesKeys(m, where: predicate).flatMap { $0.tags.map(\.key) })).sorted()
            }
            keys = Self.paged(keys, limit: s.limit, offset: s.offset)
            if !keys.isEmpty { out.append(ResultSeries(name: m, columns: ["tagKey"], values: keys.map { [.string($0)] })) }
        }
        return out
    }

    private func showTagValues(_ s: ShowTagValues, _ database: String?) throws(QueryError) -> [ResultSeries] {
        let db = try indexScope(s.database, requestDatabase: database)
        let predicate = try tagCondition(s.condition)
        let keyMatches = try Self.keyMatcher(s.key)
        var out: [ResultSeries] = []
        for m in try measurements(db, s.sources) {
            let keys = db.tagKeys(m).filter(keyMatches)
            var pairs: [[QueryValue]] = []
            for k in keys {
                for v in db.tagValues(m, key: k, where: predicate) {
                    pairs.append([.string(k), .string(v)])
                }
            }
            pairs = Self.paged(pairs, limit: s.limit, offset: s.offset)
            if !pairs.isEmpty { out.append(ResultSeries(name: m, columns: ["key", "value"], values: pairs)) }
        }
        return out
    }

    /// The test `WITH KEY …` puts on a tag key; a regex is compiled once for the statement.
    static func keyMatcher(_ filter: ShowTagValues.KeyFilter) throws(QueryError) -> (String) -> Bool {
        switch filter {
        case .equal(let k): return { $0 == k }
        case .notEqual(let k): return { $0 != k }
        case .isIn(let ks): return { ks.contains($0) }
        case .matches(let p):
            let re = try CompiledRegex(p)
            return { re.matches($0) }
        case .notMatches(let p):
            let re = try CompiledRegex(p)
            return { !re.matches($0) }
        }
    }

    private func showFieldKeys(_ s: ShowFieldKeys, _ database: String?) throws(QueryError) -> [ResultSeries] {
        let db = try indexScope(s.database, requestDatabase: database)
        var out: [ResultSeries] = []
        for m in try measurements(db, s.sources) {
            let types = db.fieldTypes(m, where: restriction ?? .all)
            let fields = Self.paged(types.sorted { $0.key < $1.key },
                                    limit: s.limit, offset: s.offset)
            if !fields.isEmpty {
                out.append(ResultSeries(name: m, columns: ["fieldKey", "fieldType"],
                                        values: fields.map { [.string($0.key), .string(Self.typeName($0.value))] }))
            }
        }
        return out
    }

    static func typeName(_ t: FieldType) -> String {
        switch t {
        case .float: return "float"
        case .integer: return "integer"
        case .unsigned: return "unsigned"
        case .boolean: return "boolean"
        case .string: return "string"
        }
    }
}
