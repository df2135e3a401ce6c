import Synchronization

/// Collects a query's answer whole, for a non-chunked response or a caller that wants the
/// results as values. Each collected row is counted against the query's memory budget;
/// past `maxRows` (`max-row-limit`) the answer ends there, its last statement marked
/// partial, and the query stops, as InfluxDB's handler does.
public final class ResultCollector: ResultSink {
    private struct State {
        var results: [StatementResult] = []
        var current: StatementResult?
        var rows = 0
        var task: QueryTask
    }

    private let state: Mutex<State>
    private let maxRows: Int

    public init(maxRows: Int = 0) {
        self.maxRows = maxRows
        state = Mutex(State(task: .ungoverned()))
    }

    /// Rows are counted against this query's memory budget.
    public func begin(_ task: QueryTask) {
        state.withLock { $0.task = task }
    }

    private var task: QueryTask { state.withLock { $0.task } }

    /// The statements collected so far, in order.
    public var results: [StatementResult] { state.withLock { $0.results } }

    public func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        try task.reserve(QueryMemory.bytes(resultRows: part.values.count, columns: part.columns.count))
        try state.withLock { s throws(QueryError) in
            if s.current == nil { s.current = StatementResult(statementID: statementID) }
            try Self.add([part], to: &s, maxRows: maxRows)
        }
    }

    public func end(_ result: StatementResult) throws(QueryError) {
        // Only the series built whole are counted here; streamed parts were counted as they
        // came. Over the budget, the statement ends with that error; the query goes on.
        var result = result
        let wholeRows = result.series.reduce(0) { $0 + $1.values.count }
        let columns = result.series.first?.columns.count ?? 0
        do {
            try task.reserve(QueryMemory.bytes(resultRows: wholeRows, columns: columns))
        } catch {
            result = StatementResult(statementID: result.statementID, error: error.description)
        }
        try state.withLock { s throws(QueryError) in
            var statement = s.current ?? StatementResult(statementID: result.statementID)
            s.current = nil
            statement.statementID = result.statementID
            statement.messages = result.messages
            statement.error = result.error
            // InfluxDB answers a failed statement with its error alone, even after rows.
            if result.error != nil { statement.series = [] }
            s.results.append(statement)
            if result.error == nil { try Self.add(result.series, to: &s, maxRows: maxRows, intoLast: true) }
        }
    }

    private static func add(_ parts: [ResultSeries], to s: inout State, maxRows: Int, intoLast: Bool = false) throws(QueryError) {
        for var part in parts {
            if maxRows > 0, s.rows + part.values.count > maxRows {
                part.values = Array(part.values.prefix(maxRows - s.rows))
                append(part, to: &s, intoLast: intoLast)
                finishTruncated(&s)
                throw ResultCollector.complete
            }
            s.rows += part.values.count
            append(part, to: &s, intoLast: intoLast)
        }
    }

    private static func append(_ part: ResultSeries, to s: inout State, intoLast: Bool) {
        func merge(into result: inout StatementResult) {
            if let last = result.series.last, last.name == part.name, last.tags == part.tags {
                result.series[result.series.count - 1].values += part.values
            } else {
                result.series.append(part)
            }
        }
        if intoLast, !s.results.isEmpty {
            merge(into: &s.results[s.results.count - 1])
        } else if s.current != nil {
            merge(into: &s.current!)
        }
    }

    /// InfluxDB marks the statement holding the last row partial and returns nothing after.
    private static func finishTruncated(_ s: inout State) {
        if var current = s.current {
            current.partial = true
            s.results.append(current)
            s.current = nil
        } else if !s.results.isEmpty {
            s.results[s.results.count - 1].partial = true
        }
    }

    /// What a collector throws once `max-row-limit` ended the answer.
    static let complete = ResultSinks.done
}
