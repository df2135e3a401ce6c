/// One parsed InfluxQL statement. A query text holds one or more, separated by `;`.
public enum Statement: Sendable, Equatable {
    case select(SelectStatement)
    case explain(SelectStatement, analyze: Bool)
    case showDatabases
    case showMeasurements(ShowMeasurements)
    case showSeries(ShowSeries)
    case showTagKeys(ShowTagKeys)
    case showTagValues(ShowTagValues)
    case showFieldKeys(ShowFieldKeys)
    /// `SHOW … [EXACT] CARDINALITY`.
    case showCardinality(ShowCardinality)
    case showRetentionPolicies(database: String?)
    /// `SHOW ROLLUPS [ON db]`: Strata's rollup tiers of a database.
    case showRollups(database: String?)
    case showShards
    /// `SHOW QUERIES`: the queries running now.
    case showQueries
    /// `KILL QUERY <qid>`.
    case killQuery(UInt64)
    /// `CREATE DATABASE <name> [WITH …]`: `with` sets its first raw policy.
    case createDatabase(String, with: DatabasePolicySpec? = nil)
    /// `DROP DATABASE <name>`: every retention policy's data, then the database.
    case dropDatabase(String)
    /// `DROP MEASUREMENT <name>`: its series in every retention policy of the database.
    case dropMeasurement(String)
    case createRetentionPolicy(CreateRetentionPolicy)
    case alterRetentionPolicy(AlterRetentionPolicy)
    case dropRetentionPolicy(name: String, database: String)
    case dropSeries(DropSeries)
    case delete(DeleteStatement)
}

/// `FROM` items. InfluxQL allows several, comma-separated.
public enum Source: Sendable, Equatable {
    case measurement(MeasurementRef)
    case subquery(SelectStatement)
}

/// `[db.][rp.]name` or `[db.][rp.]/regex/`.
public struct MeasurementRef: Sendable, Equatable {
    public var database: String?
    public var retentionPolicy: String?
    public var name: String?
    public var regex: String?

    public init(database: String? = nil, retentionPolicy: String? = nil, name: String? = nil, regex: String? = nil) {
        self.database = database
        self.retentionPolicy = retentionPolicy
        self.name = name
        self.regex = regex
    }
}

/// `DROP SERIES [FROM …] [WHERE tag predicates]` (at least one of the two).
public struct DropSeries: Sendable, Equatable {
    public var sources: [MeasurementRef] = []
    public var condition: Expr?
    public init(sources: [MeasurementRef] = [], condition: Expr? = nil) {
        self.sources = sources; self.condition = condition
    }
}

/// `DELETE [FROM …] [WHERE tag and time predicates]` (at least one of the two).
public struct DeleteStatement: Sendable, Equatable {
    public var sources: [MeasurementRef] = []
    public var condition: Expr?
    public init(sources: [MeasurementRef] = [], condition: Expr? = nil) {
        self.sources = sources; self.condition = condition
    }
}

/// `SHOW (SERIES | MEASUREMENT | TAG KEY | TAG VALUES | FIELD KEY) [EXACT] CARDINALITY …`:
/// how many of what the matching SHOW lists there are, with that SHOW's clauses.
public struct ShowCardinality: Sendable, Equatable {
    public enum Counted: Sendable, Equatable {
        case series(ShowSeries)
        case measurements(ShowMeasurements)
        case tagKeys(ShowTagKeys)
        case tagValues(ShowTagValues)
        case fieldKeys(ShowFieldKeys)
    }
    public var counted: Counted
    /// `EXACT`. Strata always counts exactly; the flag picks InfluxDB's answer shape.
    public var exact: Bool
    public init(_ counted: Counted, exact: Bool) {
        self.counted = counted
        self.exact = exact
    }
}
