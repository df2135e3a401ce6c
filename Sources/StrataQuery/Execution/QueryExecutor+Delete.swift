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
        let predicate = restricted(clause.tags)
        try await forEachTarget(db, s.sources, what: "delete") { store, m in
            try await engine.delete(database: store, measurement: m, where: predicate, range: range)
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
        let predicate = restricted(clause.tags)
        try await forEachTarget(db, s.sources, what: "drop series") { store, m in
            try await engine.dropSeries(database: store, measurement: m, where: predicate)
        }
        return StatementResult(statementID: 0)
    }

    /// `DROP MEASUREMENT <name>`: its series (those the principal may see) in every
    /// retention policy of the database.
    func dropMeasurement(_ name: String, database: String?) async throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let predicate = restricted(.all)
        try await forEachTarget(db, [MeasurementRef(name: name)], what: "drop measurement") { store, m in
            try await engine.dropSeries(database: store, measurement: m, where: predicate)
        }
        return StatementResult(statementID: 0)
    }

    /// `body(store, measurement)` for each measurement `sources` names (nil: every one) in
    /// every retention policy of `db`, as InfluxDB deletes from them all; an engine error
    /// stops there, reported as "`what` failed: …".
    private func forEachTarget(_ db: String, _ sources: [MeasurementRef], what: String,
                               _ body: (String, String?) async throws -> UInt64) async throws(QueryError) {
        for (_, store) in engine.stores(database: db) {
            for m in try targets(sources, store) {
                do { _ = try await body(store, m) } catch { throw QueryError("\(what) failed: \(error)") }
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
