import ArgumentParser
import StrataCore
import Testing
@testable import strata

/// The retention flags of `strata serve` and `strata compact`.
@Suite struct RetentionFlagsTests {
    static let s: Int64 = 1_000_000_000
    static let day = 86_400 * s

    @Test func noFlagsKeepTheStandardRetentionAndRate() throws {
        var options = EngineOptions()
        try RetentionFlags.parse([]).apply(to: &options)
        #expect(options.defaultRetention == .standard)
        #expect(options.compactionBytesPerSecond == EngineOptions().compactionBytesPerSecond)
    }

    @Test(arguments: [
        (["--raw-retention", "7d"], DatabaseRetention(rawDuration: 7 * day)),
        (["--raw-retention", "inf", "--shard-duration", "6h"], DatabaseRetention(partitionDuration: 6 * 3_600 * s)),
        (["--raw-retention", "2w", "--rollups", "none"], DatabaseRetention(rawDuration: 14 * day, tiers: [])),
        (["--rollups", "r1h=1h:inf,r5m=5m:90d"], DatabaseRetention(tiers: [
            RollupTier(name: "r5m", resolution: 300 * s, duration: 90 * day),
            RollupTier(name: "r1h", resolution: 3_600 * s, duration: nil),
        ])),
        (["--rollups", "r10s=10s", "--shard-duration", "1h"], DatabaseRetention(partitionDuration: 3_600 * s, tiers: [
            RollupTier(name: "r10s", resolution: 10 * s, duration: nil),
        ])),
    ])
    func flagsSetTheDefaultRetention(_ arguments: [String], _ expected: DatabaseRetention) throws {
        #expect(try RetentionFlags.parse(arguments).retention() == expected)
    }

    @Test(arguments: [("1048576", 1 << 20), ("512K", 512 << 10), ("8M", 8 << 20), ("1g", 1 << 30)])
    func compactionRateTakesBinarySuffixes(_ text: String, _ bytes: Int) throws {
        var options = EngineOptions()
        try RetentionFlags.parse(["--compaction-rate", text]).apply(to: &options)
        #expect(options.compactionBytesPerSecond == bytes)
    }

    @Test(arguments: [
        (["--raw-retention", "7x"], "--raw-retention must be a duration such as 90s, 15m, 36h, 7d or 2w, or inf, got \"7x\""),
        (["--raw-retention", "0d"], "--raw-retention must be"),
        (["--shard-duration", "inf"], "--shard-duration must be a duration such as 90s, 15m, 36h, 7d or 2w, got \"inf\""),
        (["--shard-duration", "7h"], "--raw-retention, --shard-duration and --rollups do not fit together: shard duration must"),
        (["--rollups", "r=7m"], "--raw-retention, --shard-duration and --rollups do not fit together: rollup r: resolution must"),
        (["--rollups", "1m"], "--rollups takes name=resolution[:retention],... or none; \"1m\" has no name=resolution"),
        (["--rollups", "r=1m:forever"], "--rollups (retention of r) must be"),
        (["--rollups", "a=1m,a=1h"], "rollup name \"a\" is used twice"),
        (["--compaction-rate", "0"], "--compaction-rate must be a positive number of bytes a second"),
        (["--compaction-rate", "fast"], "--compaction-rate must be"),
    ])
    func badFlagsAreRefusedNamingTheFlag(_ arguments: [String], _ message: String) {
        do {
            _ = try RetentionFlags.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(RetentionFlags.message(for: error).contains(message), "\(RetentionFlags.message(for: error))")
        }
    }
}
