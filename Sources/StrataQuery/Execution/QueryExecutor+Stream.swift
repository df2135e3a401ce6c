import StrataCore
import Synchronization

extension QueryExecutor {
    /// Runs a SELECT, handing its series to `output` as they come. One storage source (one
    /// measurement, or a regex of them) streams measurement by measurement; several sources
    /// or a subquery are built whole first, since their series interleave.
    func stream(_ stmt: SelectStatement, database: String?, now: Int64, statementID: Int,
                output: StatementOutput) throws(QueryError) {
        guard stmt.sources.count == 1, case .measurement(let ref) = stmt.sources[0] else {
            var report = ExplainReport()
            for series in try select(stmt, database: database, now: now, report: &report) {
                try output.series(series, statementID: statementID)
            }
            return
        }
        let db = try requireStore(ref.database, policy: ref.retentionPolicy, requestDatabase: database)
        let storage = StorageSource(engine: engine, database: db, restriction: restriction, tiers: tiers, task: task)
        var measurements = try storage.measurements(matching: ref).sorted()
        let schema = SelectExecutor.Schema(storage, measurements)
        // InfluxDB walks series backwards too when time runs backwards.
        if stmt.descending { measurements.reverse() }
        var executor = SelectExecutor(source: storage, statement: stmt, now: now, task: task)
        if let testWindowRows {
            executor.windowRows = testWindowRows
            executor.aggregateWindowRows = testWindowRows
        }
        var slots = SeriesSlots(offset: stmt.seriesOffset, limit: stmt.seriesLimit)
        for measurement in measurements where !slots.isFull {
            try executor.stream(measurement: measurement, schema: schema, slots: &slots) { part throws(QueryError) in
                var part = part
                part.zone = stmt.zone
                try output.series(part, statementID: statementID)
            }
        }
    }
}

/// The executor's side of a `ResultSink`: remembers that the sink is done with the query.
/// A sink's other errors fail the statement only.
final class StatementOutput: Sendable {
    let sink: any ResultSink
    private let isClosed = Atomic<Bool>(false)

    init(_ sink: any ResultSink) {
        self.sink = sink
    }

    var closed: Bool { isClosed.load(ordering: .acquiring) }

    func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        do {
            try sink.series(part, statementID: statementID)
        } catch {
            if error == ResultSinks.done || error == QueryErrors.clientGone { isClosed.store(true, ordering: .releasing) }
            throw error
        }
    }

    /// False once the sink is done with the query.
    func end(_ result: StatementResult) -> Bool {
        do {
            try sink.end(result)
            return true
        } catch {
            isClosed.store(true, ordering: .releasing)
            return false
        }
    }
}
