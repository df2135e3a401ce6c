/// What a statement needs from whoever runs it (docs/auth.md, "/query statements"). The
/// server maps these onto token scopes; InfluxDB 1.x has the same three levels (read,
/// write, admin) for its users.
public enum StatementPrivilege: String, Sendable, Equatable {
    /// SELECT, EXPLAIN, SHOW.
    case read
    /// DELETE, DROP SERIES, DROP MEASUREMENT: they change data, as a write does.
    case write
    /// CREATE/DROP DATABASE, CREATE/ALTER/DROP RETENTION POLICY and KILL QUERY: InfluxDB 1.x
    /// reserves them to admin users.
    case admin
}

extension Statement {
    public var privilege: StatementPrivilege {
        switch self {
        case .select, .explain, .showDatabases, .showMeasurements, .showSeries, .showTagKeys, .showTagValues,
            .showFieldKeys, .showCardinality, .showRetentionPolicies, .showRollups, .showShards, .showQueries:
            return .read
        case .delete, .dropSeries, .dropMeasurement:
            return .write
        case .createDatabase, .dropDatabase, .createRetentionPolicy, .alterRetentionPolicy, .dropRetentionPolicy, .killQuery:
            return .admin
        }
    }

    /// The statement's leading keywords, for messages (`DELETE`, `CREATE DATABASE`).
    public var keyword: String {
        switch self {
        case .select: "SELECT"
        case .explain: "EXPLAIN"
        case .showDatabases: "SHOW DATABASES"
        case .showMeasurements: "SHOW MEASUREMENTS"
        case .showSeries: "SHOW SERIES"
        case .showTagKeys: "SHOW TAG KEYS"
        case .showTagValues: "SHOW TAG VALUES"
        case .showFieldKeys: "SHOW FIELD KEYS"
        case .showCardinality(let s): s.keyword
        case .showRetentionPolicies: "SHOW RETENTION POLICIES"
        case .showRollups: "SHOW ROLLUPS"
        case .showShards: "SHOW SHARDS"
        case .showQueries: "SHOW QUERIES"
        case .killQuery: "KILL QUERY"
        case .createDatabase: "CREATE DATABASE"
        case .dropDatabase: "DROP DATABASE"
        case .dropMeasurement: "DROP MEASUREMENT"
        case .createRetentionPolicy: "CREATE RETENTION POLICY"
        case .alterRetentionPolicy: "ALTER RETENTION POLICY"
        case .dropRetentionPolicy: "DROP RETENTION POLICY"
        case .dropSeries: "DROP SERIES"
        case .delete: "DELETE"
        }
    }
}

extension ShowCardinality {
    /// `SHOW SERIES CARDINALITY`, `SHOW TAG VALUES EXACT CARDINALITY`, ….
    public var keyword: String {
        switch (counted, exact) {
        case (.series, false): "SHOW SERIES CARDINALITY"
        case (.series, true): "SHOW SERIES EXACT CARDINALITY"
        case (.measurements, false): "SHOW MEASUREMENT CARDINALITY"
        case (.measurements, true): "SHOW MEASUREMENT EXACT CARDINALITY"
        case (.tagKeys, false): "SHOW TAG KEY CARDINALITY"
        case (.tagKeys, true): "SHOW TAG KEY EXACT CARDINALITY"
        case (.tagValues, false): "SHOW TAG VALUES CARDINALITY"
        case (.tagValues, true): "SHOW TAG VALUES EXACT CARDINALITY"
        case (.fieldKeys, false): "SHOW FIELD KEY CARDINALITY"
        case (.fieldKeys, true): "SHOW FIELD KEY EXACT CARDINALITY"
        }
    }
}
