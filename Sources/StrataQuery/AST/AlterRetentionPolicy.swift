/// `ALTER RETENTION POLICY <name> ON <db> [DURATION <d|INF>] [REPLICATION <n>] [SHARD DURATION <d>]
/// [DEFAULT]`, at least one option.
public struct AlterRetentionPolicy: Sendable, Equatable {
    public var name: String
    public var database: String
    /// Absent when not given; `.some(nil)` for INF.
    public var duration: Int64??
    public var replication: Int?
    public var shardDuration: Int64?
    public var isDefault: Bool

    public init(name: String, database: String, duration: Int64?? = nil, replication: Int? = nil,
                shardDuration: Int64? = nil, isDefault: Bool = false) {
        self.name = name; self.database = database; self.duration = duration; self.replication = replication
        self.shardDuration = shardDuration; self.isDefault = isDefault
    }
}
