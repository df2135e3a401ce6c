import StrataCore

/// CREATE/ALTER/DROP RETENTION POLICY and SHOW RETENTION POLICIES over the engine's
/// per-database `DatabaseRetention` (docs/influxql.md, "Retention policies"). Strata keeps
/// one raw policy, `autogen`, and any number of rollup tiers; each statement reads the
/// database's retention, changes it and hands it back whole to `setRetention`.
extension QueryExecutor {
    static let rawPolicy = DatabaseRetention.rawPolicyName

    func createRetentionPolicy(_ s: CreateRetentionPolicy) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(s.database)
        try Self.requireSingleReplica(s.replication)
        guard let resolution = s.rollup else {
            throw QueryError("Strata keeps one raw policy per database, \(Self.rawPolicy); use ALTER RETENTION POLICY "
                + "\(Self.rawPolicy) ON \(db) ... to change it, or add ROLLUP <resolution> to create a rollup tier")
        }
        guard s.name != Self.rawPolicy else {
            throw QueryError("\(Self.rawPolicy) is the raw policy and cannot be a rollup tier; choose another name")
        }
        if s.isDefault { throw Self.defaultRefused(s.name) }
        if s.shardDuration != nil { throw Self.shardDurationRefused(s.name) }
        var retention = engine.retention(database: db)
        let tier = RollupTier(name: s.name, resolution: resolution, duration: s.duration)
        if let existing = retention.tiers.first(where: { $0.name == s.name }) {
            // As InfluxDB: creating a policy that exists with the same settings does nothing.
            if existing == tier { return StatementResult(statementID: 0) }
            throw QueryError("retention policy already exists: \(s.name) (use ALTER RETENTION POLICY to change its duration)")
        }
        if let same = retention.tiers.first(where: { $0.resolution == resolution }) {
            throw QueryError("rollup tier \(same.name) already has resolution \(GoDuration.format(resolution))")
        }
        retention.tiers.append(tier)
        retention.tiers.sort { $0.resolution < $1.resolution }
        try set(retention, db)
        return StatementResult(statementID: 0)
    }

    func alterRetentionPolicy(_ s: AlterRetentionPolicy) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(s.database)
        if let n = s.replication { try Self.requireSingleReplica(n) }
        var retention = engine.retention(database: db)
        if s.name == Self.rawPolicy {
            if let duration = s.duration { retention.rawDuration = duration }
            if let shard = s.shardDuration { retention.partitionDuration = shard }
        } else {
            guard let i = retention.tiers.firstIndex(where: { $0.name == s.name }) else {
                throw QueryError("retention policy not found: \(s.name)")
            }
            if s.isDefault { throw Self.defaultRefused(s.name) }
            if s.shardDuration != nil { throw Self.shardDurationRefused(s.name) }
            if let duration = s.duration { retention.tiers[i].duration = duration }
        }
        try set(retention, db)
        return StatementResult(statementID: 0)
    }

    func dropRetentionPolicy(name: String, database: String) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        guard name != Self.rawPolicy else {
            throw QueryError("\(Self.rawPolicy) holds the database's raw data and cannot be dropped; "
                + "shorten it with ALTER RETENTION POLICY \(Self.rawPolicy) ON \(db) DURATION <d>")
        }
        var retention = engine.retention(database: db)
        // InfluxDB answers success for a policy that does not exist.
        guard retention.tiers.contains(where: { $0.name == name }) else { return StatementResult(statementID: 0) }
        retention.tiers.removeAll { $0.name == name }
        try set(retention, db)
        return StatementResult(statementID: 0)
    }

    /// InfluxDB's columns, then Strata's `resolution` (empty for the raw policy); autogen
    /// first, then the tiers by resolution. Every policy of a database shares its partitions,
    /// so they all show its partition duration as shardGroupDuration.
    func showRetentionPolicies(_ database: String?) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let r = engine.retention(database: db)
        let shard = QueryValue.string(GoDuration.format(r.partitionDuration))
        var rows: [[QueryValue]] = [[.string(Self.rawPolicy), .string(GoDuration.format(r.rawDuration ?? 0)), shard,
                                     .integer(1), .boolean(true), .string("")]]
        for tier in r.tiers {
            rows.append([.string(tier.name), .string(GoDuration.format(tier.duration ?? 0)), shard, .integer(1),
                         .boolean(false), .string(GoDuration.format(tier.resolution))])
        }
        return StatementResult(statementID: 0, series: [ResultSeries(
            name: "", columns: ["name", "duration", "shardGroupDuration", "replicaN", "default", "resolution"],
            values: rows)])
    }

    private func set(_ retention: DatabaseRetention, _ db: String) throws(QueryError) {
        do {
            try engine.setRetention(retention, database: db)
        } catch {
            throw QueryError("\(error)")
        }
    }

    private static func requireSingleReplica(_ n: Int) throws(QueryError) {
        guard n == 1 else {
            throw QueryError("REPLICATION \(n) is not possible: Strata keeps one copy of each database (use REPLICATION 1)")
        }
    }

    private static func defaultRefused(_ name: String) -> QueryError {
        QueryError("DEFAULT applies only to \(rawPolicy): writes always go to the raw data, and \(name) is a rollup tier")
    }

    private static func shardDurationRefused(_ name: String) -> QueryError {
        QueryError("SHARD DURATION applies only to \(rawPolicy) (the database's partitions); \(name) is a rollup tier "
            + "and uses them too")
    }
}
