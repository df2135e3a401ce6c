import StrataCore

/// CREATE/ALTER/DROP RETENTION POLICY, SHOW RETENTION POLICIES and CREATE DATABASE … WITH
/// (docs/influxql.md, "Retention policies"). A database has InfluxDB's raw policies, each
/// its own store of series and points (`RetentionPolicies`), one of them the DEFAULT; and
/// Strata's rollup tiers (`ROLLUP <resolution>`), which summarise every raw policy of the
/// database and so are kept alike in each store's `DatabaseRetention`.
extension QueryExecutor {
    static let rawPolicy = DatabaseRetention.rawPolicyName

    func createDatabase(_ name: String, with spec: DatabasePolicySpec?) async throws(QueryError) -> StatementResult {
        // InfluxDB's meta.ValidName: printable, not "." or "..", no slash or backslash.
        try Self.requireValidName(name)
        var policy = Self.rawPolicy
        var retention: DatabaseRetention?
        if let spec {
            if let n = spec.replication { try Self.requireSingleReplica(n) }
            if let rp = spec.name { try Self.requireValidName(rp); policy = rp }
            let duration = spec.duration ?? nil
            retention = try rawRetention(duration: duration, shard: spec.shardDuration,
                                         like: engine.options.defaultRetention)
        }
        if engine.databaseExists(name) {
            // As InfluxDB: creating a database that exists is fine unless WITH asks for
            // another first policy than it has.
            guard spec == nil || engine.retentionPolicies(database: name).base == policy else {
                throw QueryError("retention policy conflicts with an existing policy")
            }
            return StatementResult(statementID: 0)
        }
        do { try await engine.createDatabase(name, policy: policy, retention: retention) } catch {
            throw QueryError("\(error)")
        }
        return StatementResult(statementID: 0)
    }

    func createRetentionPolicy(_ s: CreateRetentionPolicy) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(s.database)
        try Self.requireSingleReplica(s.replication)
        try Self.requireValidName(s.name)
        let policies = engine.retentionPolicies(database: db)
        let base = engine.retention(database: db)
        let tiers = base.tiers
        guard let resolution = s.rollup else {
            if tiers.contains(where: { $0.name == s.name }) { throw Self.exists(s.name) }
            let retention = try rawRetention(duration: s.duration, shard: s.shardDuration, like: base)
            if let store = policies.store(of: s.name, database: db) {
                // As InfluxDB: the same settings again change nothing (but DEFAULT).
                let current = engine.retention(database: store)
                let same = current.rawDuration == retention.rawDuration
                    && (s.shardDuration == nil || s.shardDuration == current.partitionDuration)
                guard same else { throw Self.exists(s.name) }
                if s.isDefault { try setRawPolicy(s.name, db, current, makeDefault: true) }
                return StatementResult(statementID: 0)
            }
            try setRawPolicy(s.name, db, retention, makeDefault: s.isDefault)
            return StatementResult(statementID: 0)
        }
        guard !policies.contains(s.name) else { throw Self.exists(s.name) }
        if s.isDefault { throw Self.defaultRefused(s.name) }
        if s.shardDuration != nil { throw Self.shardDurationRefused(s.name) }
        let tier = RollupTier(name: s.name, resolution: resolution, duration: s.duration)
        if let existing = tiers.first(where: { $0.name == s.name }) {
            // As InfluxDB: creating a policy that exists with the same settings does nothing.
            if existing == tier { return StatementResult(statementID: 0) }
            throw QueryError("retention policy already exists: \(s.name) (use ALTER RETENTION POLICY to change its duration)")
        }
        if let same = tiers.first(where: { $0.resolution == resolution }) {
            throw QueryError("rollup tier \(same.name) already has resolution \(DurationText.goString(resolution))")
        }
        try updateTiers(db) { tiers in
            tiers.append(tier)
            tiers.sort { $0.resolution < $1.resolution }
        }
        return StatementResult(statementID: 0)
    }

    func alterRetentionPolicy(_ s: AlterRetentionPolicy) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(s.database)
        if let n = s.replication { try Self.requireSingleReplica(n) }
        if let store = engine.retentionPolicies(database: db).store(of: s.name, database: db) {
            var retention = engine.retention(database: store)
            if let duration = s.duration { retention.rawDuration = duration }
            if let shard = s.shardDuration { retention.partitionDuration = shard }
            try Self.checkDurations(retention)
            try setRawPolicy(s.name, db, retention, makeDefault: s.isDefault)
            return StatementResult(statementID: 0)
        }
        guard engine.retention(database: db).tiers.contains(where: { $0.name == s.name }) else {
            throw QueryError("retention policy not found: \(s.name)")
        }
        if s.isDefault { throw Self.defaultRefused(s.name) }
        if s.shardDuration != nil { throw Self.shardDurationRefused(s.name) }
        if let duration = s.duration {
            try updateTiers(db) { tiers in
                for i in tiers.indices where tiers[i].name == s.name { tiers[i].duration = duration }
            }
        }
        return StatementResult(statementID: 0)
    }

    func dropRetentionPolicy(name: String, database: String) async throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let policies = engine.retentionPolicies(database: db)
        if policies.contains(name) {
            guard name != policies.base else {
                throw QueryError("\(name) holds the data the database began with and cannot be dropped; "
                    + "shorten it with ALTER RETENTION POLICY \(name) ON \(db) DURATION <d>, or DROP DATABASE \(db)")
            }
            do { try await engine.dropRawPolicy(name, database: db) } catch { throw QueryError("\(error)") }
            return StatementResult(statementID: 0)
        }
        // InfluxDB answers success for a policy that does not exist.
        guard engine.retention(database: db).tiers.contains(where: { $0.name == name }) else {
            return StatementResult(statementID: 0)
        }
        try updateTiers(db) { $0.removeAll { $0.name == name } }
        return StatementResult(statementID: 0)
    }

    func dropDatabase(_ name: String) async throws(QueryError) -> StatementResult {
        // InfluxDB answers success for a database that does not exist.
        guard sees(database: name) else { return StatementResult(statementID: 0) }
        do { try await engine.dropDatabase(name) } catch { throw QueryError("\(error)") }
        return StatementResult(statementID: 0)
    }

    /// InfluxDB's columns: the raw policies in the order they were made. Rollup tiers are
    /// listed by SHOW ROLLUPS (docs/influxql.md, "Retention policies").
    func showRetentionPolicies(_ database: String?) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let policies = engine.retentionPolicies(database: db)
        let rows: [[QueryValue]] = policies.stores(database: db).map { policy, store in
            let r = engine.retention(database: store)
            return [.string(policy), .string(DurationText.goString(r.rawDuration ?? 0)),
                    .string(DurationText.goString(r.partitionDuration)), .integer(1), .boolean(policy == policies.defaultPolicy)]
        }
        return StatementResult(statementID: 0, series: [ResultSeries(
            name: "", columns: ["name", "duration", "shardGroupDuration", "replicaN", "default"], values: rows)])
    }

    /// Strata's rollup tiers by resolution: name, resolution, duration (0s: kept forever).
    func showRollups(_ database: String?) throws(QueryError) -> StatementResult {
        let db = try requireDatabase(database)
        let rows: [[QueryValue]] = engine.retention(database: db).tiers.map { tier in
            [.string(tier.name), .string(DurationText.goString(tier.resolution)), .string(DurationText.goString(tier.duration ?? 0))]
        }
        return StatementResult(statementID: 0, series: [ResultSeries(
            name: "", columns: ["name", "resolution", "duration"], values: rows)])
    }

    /// A raw policy's retention: `duration` (nil: INF), `shard` (nil: as InfluxDB picks,
    /// 1 h under two days of retention, else the partition duration of `like`), and the
    /// database's rollup tiers.
    private func rawRetention(duration: Int64?, shard: Int64?, like base: DatabaseRetention)
        throws(QueryError) -> DatabaseRetention
    {
        let hour: Int64 = 3_600_000_000_000
        let partition = shard ?? (duration.map { $0 < 48 * hour } == true ? hour : base.partitionDuration)
        let retention = DatabaseRetention(rawDuration: duration, partitionDuration: partition, tiers: base.tiers)
        try Self.checkDurations(retention)
        return retention
    }

    /// InfluxDB's limits on a raw policy's durations, then Strata's on partitions.
    private static func checkDurations(_ r: DatabaseRetention) throws(QueryError) {
        let hour: Int64 = 3_600_000_000_000
        if let d = r.rawDuration {
            guard d >= hour else { throw QueryError("retention policy duration must be at least 1h0m0s") }
            guard d >= r.partitionDuration else {
                throw QueryError("retention policy duration must be greater than the shard duration")
            }
        }
        if let reason = r.validationError() { throw QueryError(reason) }
    }

    private func setRawPolicy(_ name: String, _ db: String, _ retention: DatabaseRetention, makeDefault: Bool)
        throws(QueryError)
    {
        do { try engine.setRawPolicy(name, database: db, retention: retention, makeDefault: makeDefault) } catch {
            throw QueryError("\(error)")
        }
    }

    /// Changes the rollup tiers of every store of `db` alike.
    private func updateTiers(_ db: String, _ change: (inout [RollupTier]) -> Void) throws(QueryError) {
        for (_, store) in engine.stores(database: db) {
            var retention = engine.retention(database: store)
            change(&retention.tiers)
            do { try engine.setRetention(retention, database: store) } catch { throw QueryError("\(error)") }
        }
    }

    static func requireValidName(_ name: String) throws(QueryError) {
        guard name != ".", name != "..", !name.contains(where: { $0 == "/" || $0 == "\\" }),
              name.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControlOrUnassigned }) else {
            throw QueryError("invalid name")
        }
    }

    private static func exists(_ name: String) -> QueryError {
        QueryError("retention policy already exists: \(name)")
    }

    private static func requireSingleReplica(_ n: Int) throws(QueryError) {
        guard n == 1 else {
            throw QueryError("REPLICATION \(n) is not possible: Strata keeps one copy of each database (use REPLICATION 1)")
        }
    }

    private static func defaultRefused(_ name: String) -> QueryError {
        QueryError("DEFAULT applies only to raw policies: \(name) is a rollup tier, which no write goes to")
    }

    private static func shardDurationRefused(_ name: String) -> QueryError {
        QueryError("SHARD DURATION applies only to raw policies; \(name) is a rollup tier and uses their partitions")
    }
}
