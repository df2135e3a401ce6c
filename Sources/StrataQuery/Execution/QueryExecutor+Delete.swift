import StrataCore

extension QueryExecutor {
    /// `DELETE [FROM …] [WHERE tags and time]`: durable through the WAL before it returns.
    func delete(_ s: DeleteStatement, database: String?, now: Int64) async throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let clause = try WhereClause(s.condition, fields: [], now: now)
        if clause.rowFilter != nil {
            throw QueryError("fields not supported in WHERE clause during deletion")
        }
        let range: ClosedRange<Int64>?
        if clause.timeMin == nil && clause.timeMax == nil {
            range = nil
        } else {
            let lo = clause.timeMin ?? WhereClause.minTime, hi = clause.timeMax ?? WhereClause.maxTime
            guard lo <= hi else { return StatementResult(statementID: 0) }
            range = lo...hi
        }
        // As InfluxDB, from every retention policy of the database.
        for (_, store) in engine.stores(database: db) {
            for m in try targets(s.sources, store) {
                do {
                    _ = try await engine.delete(database: store, measurement: m, where: restricted(clause.tags), range: range)
                } catch {
                    throw QueryError("delete failed: \(error)")
                }
            }
        }
        return StatementResult(statementID: 0)
    }

    /// `DROP SERIES [FROM …] [WHERE tags]`.
    func dropSeries(_ s: DropSeries, database: String?) async throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        if let condition = s.condition, WhereClause.mentionsTime(condition) {
            throw QueryError("DROP SERIES doesn't support time in WHERE clause")
        }
        let clause = try WhereClause(s.condition, fields: [], now: 0)
        if clause.rowFilter != nil {
            throw QueryError("fields not supported in WHERE clause during deletion")
        }
        try await dropSeries(db, s.sources, restricted(clause.tags), what: "drop series")
        return StatementResult(statementID: 0)
    }

    /// `DROP MEASUREMENT <name>`: its series (those the principal may see) in every
    /// retention policy of the database.
    func dropMeasurement(_ name: String, database: String?) async throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        try await dropSeries(db, [MeasurementRef(name: name)], restricted(.all), what: "drop measurement")
        return StatementResult(statementID: 0)
    }

    /// As InfluxDB, from every retention policy of the database.
    private func dropSeries(_ db: String, _ sources: [MeasurementRef], _ predicate: TagPredicate, what: String)
        async throws(QueryError)
    {
        for (_, store) in engine.stores(database: db) {
            for m in try targets(sources, store) {
                do {
                    _ = try await engine.dropSeries(database: store, measurement: m, where: predicate)
                } catch {
                    throw QueryError("\(what) failed: \(error)")
                }
            }
        }
    }

    /// The measurements a FROM names; nil (every measurement) without FROM. A restricted
    /// executor's predicate keeps a delete within its devices either way.
    private func targets(_ sources: [MeasurementRef], _ db: String) throws(QueryError) -> [String?] {
        guard !sources.isEmpty else { return [nil] }
        return try measurements(IndexScope(engine: engine, stores: [db]), sources)
    }
}
