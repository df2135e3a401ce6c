/// The clauses the SHOW statements over series share, `[ON db] [FROM …] [WHERE …] [LIMIT n]
/// [OFFSET n]`: which database, which measurements, which series, which page of the answer.
/// SHOW SERIES and SHOW TAG KEYS are exactly this; SHOW FIELD KEYS has no WHERE; SHOW TAG
/// VALUES adds `WITH KEY`; SHOW MEASUREMENTS names its one source with `WITH MEASUREMENT`.
/// The parser reads them with `Parser.parseShowTail` (Parser+Show.swift).
public struct ShowFilter: Sendable, Equatable {
    public var database: String?
    /// Empty: every measurement.
    public var sources: [MeasurementRef] = []
    /// Tag predicates (and, for some statements, time); nil: every series.
    public var condition: Expr?
    /// 0: no limit.
    public var limit: Int = 0
    public var offset: Int = 0

    public init(database: String? = nil, sources: [MeasurementRef] = [], condition: Expr? = nil, limit: Int = 0, offset: Int = 0) {
        self.database = database
        self.sources = sources
        self.condition = condition
        self.limit = limit
        self.offset = offset
    }
}

/// `SHOW SERIES [ON db] [FROM …] [WHERE …] [LIMIT n] [OFFSET n]`
public typealias ShowSeries = ShowFilter

/// `SHOW TAG KEYS [ON db] [FROM …] [WHERE …] [LIMIT n] [OFFSET n]`
public typealias ShowTagKeys = ShowFilter

/// `SHOW FIELD KEYS [ON db] [FROM …] [LIMIT n] [OFFSET n]`: `condition` is always nil.
public typealias ShowFieldKeys = ShowFilter

/// `SHOW TAG VALUES [ON db] [FROM …] WITH KEY (= k | != k | =~ /re/ | !~ /re/ | IN (k1, k2)) [WHERE …] [LIMIT] [OFFSET]`
@dynamicMemberLookup
public struct ShowTagValues: Sendable, Equatable {
    public enum KeyFilter: Sendable, Equatable {
        case equal(String)
        case notEqual(String)
        case matches(String)
        case notMatches(String)
        case isIn([String])
    }
    public var filter: ShowFilter
    public var key: KeyFilter

    public init(database: String? = nil, sources: [MeasurementRef] = [], key: KeyFilter, condition: Expr? = nil, limit: Int = 0, offset: Int = 0) {
        filter = ShowFilter(database: database, sources: sources, condition: condition, limit: limit, offset: offset)
        self.key = key
    }

    public subscript<Value>(dynamicMember path: WritableKeyPath<ShowFilter, Value>) -> Value {
        get { filter[keyPath: path] }
        set { filter[keyPath: path] = newValue }
    }
}

/// `SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT =~ /re/ | = name] [WHERE …] [LIMIT n] [OFFSET n]`;
/// the filter's `sources` holds the one `WITH MEASUREMENT` names, if any.
@dynamicMemberLookup
public struct ShowMeasurements: Sendable, Equatable {
    public var filter: ShowFilter

    public init(database: String? = nil, source: MeasurementRef? = nil, condition: Expr? = nil, limit: Int = 0, offset: Int = 0) {
        filter = ShowFilter(database: database, sources: source.map { [$0] } ?? [], condition: condition, limit: limit, offset: offset)
    }

    /// `WITH MEASUREMENT`'s measurement or pattern; nil: every measurement.
    public var source: MeasurementRef? {
        get { filter.sources.first }
        set { filter.sources = newValue.map { [$0] } ?? [] }
    }

    public subscript<Value>(dynamicMember path: WritableKeyPath<ShowFilter, Value>) -> Value {
        get { filter[keyPath: path] }
        set { filter[keyPath: path] = newValue }
    }
}
