/// One series of a statement's result, as InfluxDB 1.x returns it: a name, the tag values
/// of the group (empty when not grouped by tag), column names and rows.
public struct ResultSeries: Sendable, Equatable {
    public var name: String
    /// Tag key → value of the group; formatters write keys sorted, as InfluxDB does.
    public var tags: [String: String]
    public var columns: [String]
    public var values: [[QueryValue]]
    /// Set on all but the last chunk of a series when a response is chunked.
    public var partial: Bool
    /// The SELECT's `tz()`: times are written in its wall-clock time and offset.
    public var zone: QueryZone?

    public init(name: String, tags: [String: String] = [:], columns: [String], values: [[QueryValue]], partial: Bool = false) {
        self.name = name
        self.tags = tags
        self.columns = columns
        self.values = values
        self.partial = partial
    }
}

/// The result of one statement of a query. A statement that fails at execution reports
/// `error` in place; the other statements still run (InfluxDB's behaviour).
public struct StatementResult: Sendable, Equatable {
    public var statementID: Int
    public var series: [ResultSeries]
    public var messages: [String]
    public var error: String?
    /// Set on all but the last chunk of a statement when a response is chunked.
    public var partial: Bool

    public init(statementID: Int, series: [ResultSeries] = [], messages: [String] = [], error: String? = nil, partial: Bool = false) {
        self.statementID = statementID
        self.series = series
        self.messages = messages
        self.error = error
        self.partial = partial
    }
}
