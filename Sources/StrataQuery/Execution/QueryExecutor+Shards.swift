import StrataCore

/// `SHOW SHARDS`: one series per database, named after it, with InfluxDB's columns (id,
/// database, retention_policy, shard_group, start_time, end_time, expiry_time, owners)
/// and Strata's (resolution, level, rows, bytes, uncompacted_segments). A row per time
/// partition holding raw data (policy `autogen`) and per rollup tier file (policy = the
/// tier's name). docs/influxql.md, "SHOW SHARDS", says what each column means here.
extension QueryExecutor {
    static let shardColumns = ["id", "database", "retention_policy", "shard_group", "start_time", "end_time",
                               "expiry_time", "owners", "resolution", "level", "rows", "bytes", "uncompacted_segments"]

    func showShards() -> StatementResult {
        let partitions = Dictionary(grouping: engine.partitions(), by: \.partition.database)
        let series = engine.databaseNames().sorted().map { db in
            let rows = engine.stores(database: db).flatMap { policy, store in
                let retention = engine.retention(database: store)
                return (partitions[store] ?? []).sorted { $0.partition < $1.partition }.flatMap {
                    Self.shardRows($0, database: db, policy: policy, retention)
                }
            }
            return ResultSeries(name: db, columns: Self.shardColumns, values: rows)
        }
        return StatementResult(statementID: 0, series: series)
    }

    /// A partition of raw policy `policy`'s store: its raw row, then its tier files' rows.
    static func shardRows(_ p: PartitionInfo, database: String, policy: String, _ retention: DatabaseRetention)
        -> [[QueryValue]]
    {
        let key = p.partition
        // InfluxDB numbers shard groups; a partition's index since the epoch is as stable.
        let group = QueryValue.integer(key.start / max(1, key.end - key.start))
        func row(_ id: QueryValue, _ policy: String, _ duration: Int64?, _ rest: [QueryValue]) -> [QueryValue] {
            [id, .string(database), .string(policy), group, .string(RFC3339.format(key.start)),
             .string(RFC3339.format(key.end)), .string(RFC3339.format(key.end + (duration ?? 0))), .string("")]
                + rest
        }
        var rows: [[QueryValue]] = []
        if p.rawFile != nil || p.uncompactedSegments > 0 {
            rows.append(row(fileNumber(p.rawFile), policy, retention.rawDuration, [
                .string(""), .integer(p.rawFile == nil ? 0 : 1), .integer(Int64(p.rawRows)), .integer(Int64(p.rawBytes)),
                .integer(Int64(p.uncompactedSegments)),
            ]))
        }
        for tier in p.tiers.sorted(by: { $0.resolution < $1.resolution }) {
            let duration = retention.tiers.first { $0.name == tier.name }?.duration
            rows.append(row(fileNumber(tier.file), tier.name, duration, [
                .string(DurationText.goString(tier.resolution)), .null, .integer(Int64(tier.rows)),
                .integer(Int64(tier.bytes)), .null,
            ]))
        }
        return rows
    }

    /// `segments/000123.seg` → 123: the file's number, stable while the file lives, as
    /// InfluxDB's shard ids are. Null for a partition whose raw rows are not compacted yet.
    static func fileNumber(_ file: String?) -> QueryValue {
        guard let file else { return .null }
        let name = file.split(separator: "/").last ?? ""
        return Int64(name.prefix { $0.isNumber }).map(QueryValue.integer) ?? .null
    }
}
