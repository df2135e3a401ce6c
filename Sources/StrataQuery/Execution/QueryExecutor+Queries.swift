import StrataCore

/// `SHOW QUERIES` and `KILL QUERY`, over the server's `QueryManager`.
extension QueryExecutor {
    /// InfluxDB 1.6's columns: qid, query, database, duration (its own query included, as in
    /// InfluxDB).
    func showQueries() throws(QueryError) -> StatementResult {
        guard let manager else { throw QueryError("SHOW QUERIES needs a server: no queries are tracked here") }
        let rows: [[QueryValue]] = manager.running.map { task in
            let nanoseconds = (ContinuousClock.now - task.started).components
            let elapsed = nanoseconds.seconds * 1_000_000_000 + nanoseconds.attoseconds / 1_000_000_000
            // Whole microseconds, as InfluxDB prints them (`1.234567s`).
            return [.integer(Int64(task.id)), .string(task.text), .string(task.database ?? ""),
                    .string(DurationText.goString(elapsed / 1_000 * 1_000))]
        }
        return StatementResult(statementID: 0, series: [
            ResultSeries(name: "", columns: ["qid", "query", "database", "duration"], values: rows),
        ])
    }

    func killQuery(_ id: UInt64) throws(QueryError) -> StatementResult {
        guard let manager else { throw QueryError("KILL QUERY needs a server: no queries are tracked here") }
        try manager.kill(id)
        return StatementResult(statementID: 0)
    }
}
