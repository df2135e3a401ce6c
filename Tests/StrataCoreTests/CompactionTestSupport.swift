import Synchronization
@testable import StrataCore
import StrataTestSupport

/// Helpers of the compaction and retention tests.
enum CompactionFixture {
    static let dir = "/data"
    static let hour: Int64 = 3_600_000_000_000
    static let minute: Int64 = 60_000_000_000
    /// Hour partitions with a one-minute tier, so a few hours of test data span partitions.
    static let hourly = DatabaseRetention(partitionDuration: hour,
                                          tiers: [RollupTier(name: "rollup_1m", resolution: minute, duration: nil)])

    static func options(retention: DatabaseRetention = hourly, now: ManualClock? = nil) -> EngineOptions {
        var options = EngineOptions.forTests
        options.backgroundCompaction = false
        options.compactionBytesPerSecond = Int.max
        options.defaultRetention = retention
        if let now { options.clock = now }
        return options
    }

    static func open(_ fs: any FileSystem, options: EngineOptions = options()) throws -> StorageEngine {
        try StorageEngine.open(directory: dir, options: options, fileSystem: fs)
    }

    /// Every stored value of the engine, per database, series and time (nulls left out, so a
    /// column that is all null counts as absent).
    typealias Contents = [String: [String: [Int64: [String: FieldValue]]]]

    static func contents(_ engine: StorageEngine, databases: [String] = ["a", "b"],
                         measurements: [String] = ["m", "n"]) throws -> Contents {
        var out: Contents = [:]
        for db in databases {
            for m in measurements {
                for series in try engine.scan(database: db, measurement: m) {
                    var rows: [Int64: [String: FieldValue]] = [:]
                    for (r, t) in series.timestamps.enumerated() {
                        var values: [String: FieldValue] = [:]
                        for (name, column) in series.columns { if let v = column.value(at: r) { values[name] = v } }
                        if !values.isEmpty { rows[t] = values }
                    }
                    if !rows.isEmpty { out[db, default: [:]][series.key.description] = rows }
                }
            }
        }
        return out
    }

    static func rowCount(_ c: Contents) -> Int {
        c.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
    }

    /// Rows stored in the live segments (duplicates and deleted rows included).
    static func storedRows(_ engine: StorageEngine) -> Int {
        engine.state.withLock { $0.manifest.segments.reduce(0) { $0 + $1.rows } }
    }

    static func levels(_ engine: StorageEngine) -> (level0: Int, level1: [PartitionKey]) {
        engine.state.withLock { s in
            (s.segments.filter { $0.partition == nil }.count, s.segments.compactMap(\.partition))
        }
    }

    /// Seeded writes to two databases and two measurements over `hours` hours: float,
    /// integer and string fields, fields missing at random, times repeating (overwrites)
    /// and out of order.
    static func randomBatch(_ rng: inout SplitMix64, db: String, hours: Int64, base: Int64 = 0, points: Int) -> WriteBatch {
        var out: [Point] = []
        for _ in 0..<points {
            let t = base + Int64.random(in: 0..<(hours * 120), using: &rng) * 30_000_000_000
            var fields: [Field] = []
            if Bool.random(using: &rng) { fields.append(Field("x", .float(Double(Int.random(in: 0..<1_000, using: &rng)) / 4))) }
            if Bool.random(using: &rng) { fields.append(Field("y", .integer(Int64.random(in: -50...50, using: &rng)))) }
            if Int.random(in: 0..<4, using: &rng) == 0 { fields.append(Field("s", .string("v\(Int.random(in: 0..<9, using: &rng))"))) }
            if fields.isEmpty { fields = [Field("x", .float(1))] }
            let measurement = Int.random(in: 0..<3, using: &rng) == 0 ? "n" : "m"
            out.append(Point(measurement: measurement, tags: [Tag("dev", "d\(Int.random(in: 0..<4, using: &rng))")],
                             fields: fields, timestamp: t))
        }
        return WriteBatch(database: db, points: out)
    }
}
