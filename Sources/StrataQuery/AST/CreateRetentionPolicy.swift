/// `CREATE RETENTION POLICY <name> ON <db> DURATION <d|INF> REPLICATION <n> [SHARD DURATION <d>]
/// [DEFAULT] [ROLLUP <resolution>]`. InfluxDB's syntax plus `ROLLUP`, Strata's extension that
/// makes the policy a rollup tier of the database (docs/influxql.md, "Retention policies").
public struct CreateRetentionPolicy: Sendable, Equatable {
    public var name: String
    public var database: String
    /// Nanoseconds; nil for INF (or `0s`, which InfluxDB reads as INF).
    public var duration: Int64?
    public var replication: Int
    public var shardDuration: Int64?
    public var isDefault: Bool
    /// Nanoseconds; set when `ROLLUP` was given.
    public var rollup: Int64?

    public init(name: String, database: String, duration: Int64?, replication: Int = 1, shardDuration: Int64? = nil,
                isDefault: Bool = false, rollup: Int64? = nil) {
        self.name = name; self.database = database; self.duration = duration; self.replication = replication
        self.shardDuration = shardDuration; self.isDefault = isDefault; self.rollup = rollup
    }
}

/// `CREATE DATABASE <name> WITH [DURATION d] [REPLICATION n] [SHARD DURATION d] [NAME rp]`:
/// the database's first raw policy, instead of `autogen` with the defaults.
public struct DatabasePolicySpec: Sendable, Equatable {
    /// Absent when not given; `.some(nil)` for INF.
    public var duration: Int64??
    public var replication: Int?
    public var shardDuration: Int64?
    public var name: String?

    public init(duration: Int64?? = nil, replication: Int? = nil, shardDuration: Int64? = nil, name: String? = nil) {
        self.duration = duration; self.replication = replication; self.shardDuration = shardDuration; self.name = name
    }
}
