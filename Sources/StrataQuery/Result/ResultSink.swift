/// Where a query's answer goes as it is produced: the HTTP response of a chunked query, or
/// a `ResultCollector`.
///
/// Call order: statements in order; per statement any number of `series` calls, then one
/// `end`. Consecutive `series` calls with the same name and tags continue one series; a
/// series never resumes once another began. A statement that builds its series whole
/// passes them in `end` instead. An empty statement is a lone `end`.
///
/// An error a sink throws fails the statement (which then ends with it), except
/// `ResultSinks.done` and `QueryErrors.clientGone`: the sink is done with the query (the
/// answer is complete, or its client went away), and the executor stops, calling nothing
/// more.
public protocol ResultSink: AnyObject, Sendable {
    /// Called once, before anything else, with the query the answer belongs to.
    func begin(_ task: QueryTask)
    func series(_ part: ResultSeries, statementID: Int) throws(QueryError)
    /// The statement ended: its messages, its error (which may follow rows already sent)
    /// and any series not sent before.
    func end(_ result: StatementResult) throws(QueryError)
}

extension ResultSink {
    public func begin(_ task: QueryTask) {}
}

public enum ResultSinks {
    /// What a sink throws once it wants nothing more of the query.
    public static let done = QueryError("the answer is complete")
}
