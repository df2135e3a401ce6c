/// `ResultChunker` for an answer that arrives in parts (`ResultSink` order): the same
/// chunks, produced as soon as they are known. A chunk is held back until the next one
/// exists or its statement ends, since only then is it known whether it is the statement's
/// last (`partial: false`) and whether its series goes on (series `partial`).
public struct ResultStreamChunker: Sendable {
    public let size: Int
    /// The streamed series whose rows are not in a chunk yet.
    private var series: ResultSeries?
    private var seriesStatement = 0
    /// The last chunk made, not yet given out.
    private var pending: StatementResult?

    public init(size: Int) {
        self.size = max(1, size)
    }

    /// Chunks now complete after rows of one series of statement `statementID`.
    public mutating func add(_ part: ResultSeries, statementID: Int) -> [StatementResult] {
        var out: [StatementResult] = []
        if let current = series, current.name == part.name, current.tags == part.tags {
            series!.values += part.values
        } else {
            out += flushSeries()
            series = part
            series!.partial = false
            seriesStatement = statementID
        }
        while let current = series, current.values.count > size {
            var head = current
            head.values = Array(current.values.prefix(size))
            head.partial = true
            series!.values.removeFirst(size)
            out += produce(StatementResult(statementID: statementID, series: [head], partial: true))
        }
        return out
    }

    /// The statement's remaining chunks, the last carrying its messages and error.
    public mutating func end(_ result: StatementResult) -> [StatementResult] {
        var out = flushSeries()
        if !result.series.isEmpty {
            for var chunk in ResultChunker.chunks([StatementResult(statementID: result.statementID, series: result.series)], size: size) {
                chunk.partial = true
                out += produce(chunk)
            }
        }
        guard var last = pending else { return out + [result] }
        pending = nil
        last.partial = result.partial
        last.messages = result.messages
        last.error = result.error
        return out + [last]
    }

    /// The answer stopped before its statement ended (the query was stopped while the
    /// client read slowly): what is held, then the reason.
    public mutating func abort(_ error: String) -> [StatementResult] {
        let statementID = series.map { _ in seriesStatement } ?? pending?.statementID ?? 0
        return end(StatementResult(statementID: statementID, error: error))
    }

    private mutating func flushSeries() -> [StatementResult] {
        guard let current = series else { return [] }
        series = nil
        return produce(StatementResult(statementID: seriesStatement, series: [current], partial: true))
    }

    private mutating func produce(_ chunk: StatementResult) -> [StatementResult] {
        defer { pending = chunk }
        return pending.map { [$0] } ?? []
    }
}
