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
        for m in try targets(s.sources, db) {
            do {
                _ = try await engine.delete(database: db, measurement: m, where: restricted(clause.tags), range: range)
            } catch {
                throw QueryError("delete failed: \(error)")
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
        for m in try targets(s.sources, db) {
            do {
                _ = try await engine.dropSeries(database: db, measurement: m, where: restricted(clause.tags))
            } catch {
                throw QueryError("drop series failed: \(error)")
            }
        }
        return StatementResult(statementID: 0)
    }

    /// The measurements a FROM names; nil (every measurement) without FROM. A restricted
    /// executor's predicate keeps a delete within its devices either way.
    private func targets(_ sources: [MeasurementRef], _ db: String) throws(QueryError) -> [String?] {
        guard !sources.isEmpty else { return [nil] }
        return try measurements(db, sources)
    }
}
