/// How long a database keeps its data, how it cuts it into time partitions, and which
/// rollup tiers it keeps beside the raw data (docs/retention.md).
///
/// Raw data lives in partitions of `partitionDuration` (aligned to the Unix epoch, UTC);
/// a partition whose end is older than `now - rawDuration` is dropped whole. Each tier keeps
/// per series and numeric field, per bucket of its `resolution`, count/sum/min/max/first/last
/// (with their times), in files per partition that expire on the tier's own `duration`.
public struct DatabaseRetention: Sendable, Codable, Equatable {
    /// Nanoseconds; nil keeps raw data forever.
    public var rawDuration: Int64?
    /// Nanoseconds, a whole number of seconds dividing a day or a multiple of a day.
    public var partitionDuration: Int64
    /// Ascending resolution, names unique.
    public var tiers: [RollupTier]

    public init(rawDuration: Int64? = nil, partitionDuration: Int64 = Self.defaultPartitionDuration,
                tiers: [RollupTier] = Self.standardTiers) {
        self.rawDuration = rawDuration
        self.partitionDuration = partitionDuration
        self.tiers = tiers.sorted { $0.resolution < $1.resolution }
    }

    /// The name `SHOW RETENTION POLICIES` gives the raw data, as InfluxDB names the
    /// policy `CREATE DATABASE` makes.
    public static let rawPolicyName = "autogen"
    /// One day: InfluxDB's default shard group for retention over six months (and for
    /// infinite retention is 7 d; a day keeps a dropped partition, and a recompaction of
    /// today's partition, small). A day holds 8.64 M rows of a 100-robot fleet at 1 Hz.
    public static let defaultPartitionDuration: Int64 = 86_400 * 1_000_000_000
    /// 1 m and 1 h, kept forever: the resolutions dashboards ask for over days and years.
    public static let standardTiers = [
        RollupTier(name: "rollup_1m", resolution: 60 * 1_000_000_000, duration: nil),
        RollupTier(name: "rollup_1h", resolution: 3_600 * 1_000_000_000, duration: nil),
    ]
    public static let standard = DatabaseRetention()

    /// Why this retention cannot be used, or nil: durations positive, partition a whole
    /// number of seconds dividing a day or a multiple of one, each tier's resolution a
    /// whole number of seconds dividing the partition, names unique and not `autogen`.
    public func validationError() -> String? {
        let second: Int64 = 1_000_000_000
        let day = Self.defaultPartitionDuration
        if let raw = rawDuration, raw <= 0 { return "raw retention duration must be positive" }
        let p = partitionDuration
        guard p > 0, p % second == 0, day % p == 0 || p % day == 0 else {
            return "shard duration must be a whole number of seconds that divides a day or is a multiple of one"
        }
        var names = Set<String>()
        for tier in tiers {
            guard !tier.name.isEmpty, tier.name != Self.rawPolicyName else {
                return "rollup name \"\(tier.name)\" is reserved or empty"
            }
            guard names.insert(tier.name).inserted else { return "rollup name \"\(tier.name)\" is used twice" }
            guard tier.resolution >= second, tier.resolution % second == 0, p % tier.resolution == 0 else {
                return "rollup \(tier.name): resolution must be a whole number of seconds dividing the shard duration"
            }
            if let d = tier.duration, d <= 0 { return "rollup \(tier.name): duration must be positive" }
        }
        return nil
    }

    /// The start of the partition holding `t` (floor division, so pre-1970 times too).
    public func partitionStart(_ t: Int64) -> Int64 {
        let r = t % partitionDuration
        return r < 0 ? t - r - partitionDuration : t - r
    }
}

/// One rollup tier of a database.
public struct RollupTier: Sendable, Codable, Equatable {
    public var name: String
    /// Bucket width, nanoseconds; buckets are aligned to the Unix epoch.
    public var resolution: Int64
    /// Nanoseconds; nil keeps the tier forever.
    public var duration: Int64?

    public init(name: String, resolution: Int64, duration: Int64?) {
        self.name = name
        self.resolution = resolution
        self.duration = duration
    }
}
