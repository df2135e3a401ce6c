/// Where a query's answer goes as it is produced: the HTTP response of a chunked query, or
/// a `ResultCollector`.
///
/// Call order: statements in order; per statement any number of `series` calls, then one
/// `end`. Consecutive `series` calls with the same name and tags continue one series; a
/// series never resumes once another began. A statement that builds its series whole
/// passes them in `end` instead. An empty statement is a lone `end`.
///
/// A sink that throws is done with the query (its client went away, or the answer is
/// complete): the executor then stops and calls nothing more.
public protocol ResultSink: AnyObject, Sendable {
    func series(_ part: ResultSeries, statementID: Int) throws(QueryError)
    /// The statement ended: its messages, its error (which may follow rows already sent)
    /// and any series not sent before.
    func end(_ result: StatementResult) throws(QueryError)
}
