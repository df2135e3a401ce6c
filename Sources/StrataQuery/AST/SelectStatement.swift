/// `SELECT fields FROM sources [WHERE cond] [GROUP BY dims] [fill(…)] [ORDER BY time ASC|DESC]
/// [LIMIT n] [OFFSET n] [SLIMIT n] [SOFFSET n]`. A `tz(…)` clause is rejected by the parser
/// ("tz() is not supported"); so is `INTO`.
public struct SelectStatement: Sendable, Equatable {
    public var fields: [SelectField]
    public var sources: [Source]
    public var condition: Expr?
    public var dimensions: [Dimension] = []
    public var fill: Fill = .null
    public var descending = false
    /// 0 means none, as in InfluxQL.
    public var limit = 0
    public var offset = 0
    public var seriesLimit = 0
    public var seriesOffset = 0
    /// `tz('…')`: GROUP BY time buckets follow this zone's wall clock, time literals
    /// without an offset are its wall-clock times, and times are written in it.
    public var zone: QueryZone?

    public init(fields: [SelectField], sources: [Source], condition: Expr? = nil, dimensions: [Dimension] = [],
                fill: Fill = .null, descending: Bool = false, limit: Int = 0, offset: Int = 0,
                seriesLimit: Int = 0, seriesOffset: Int = 0) {
        self.fields = fields
        self.sources = sources
        self.condition = condition
        self.dimensions = dimensions
        self.fill = fill
        self.descending = descending
        self.limit = limit
        self.offset = offset
        self.seriesLimit = seriesLimit
        self.seriesOffset = seriesOffset
    }
}

public struct SelectField: Sendable, Equatable {
    public var expr: Expr
    public var alias: String?
    public init(_ expr: Expr, alias: String? = nil) {
        self.expr = expr
        self.alias = alias
    }
}

/// A GROUP BY item.
public enum Dimension: Sendable, Equatable {
    /// `time(interval[, offset])`, both in nanoseconds; the offset may be negative.
    case time(interval: Int64, offset: Int64)
    case tag(String)
    case regex(String)
    case wildcard
}

public enum Fill: Sendable, Equatable {
    case null, none, previous, linear
    case number(Double)
    case integer(Int64)
}
