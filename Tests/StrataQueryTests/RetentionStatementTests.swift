import StrataCore
import Testing
@testable import StrataQuery

/// CREATE/ALTER/DROP RETENTION POLICY and SHOW RETENTION POLICIES: the grammar (InfluxDB's
/// plus ROLLUP), the privileges, and what the statements do to a database's retention.
@Suite struct RetentionStatementTests {
    @Test(arguments: [
        ParseCase("CREATE RETENTION POLICY r5 ON db DURATION 90d REPLICATION 1 ROLLUP 5m",
                  .createRetentionPolicy(CreateRetentionPolicy(name: "r5", database: "db", duration: 90 * day, rollup: 5 * minute))),
        ParseCase("create retention policy \"a b\" on \"my db\" duration INF replication 1 shard duration 1h default",
                  .createRetentionPolicy(CreateRetentionPolicy(name: "a b", database: "my db", duration: nil, shardDuration: hour,
                                                               isDefault: true))),
        ParseCase("CREATE RETENTION POLICY x ON db DURATION 0s REPLICATION 3",
                  .createRetentionPolicy(CreateRetentionPolicy(name: "x", database: "db", duration: nil, replication: 3))),
        ParseCase("ALTER RETENTION POLICY autogen ON db DURATION 7d SHARD DURATION 1d",
                  .alterRetentionPolicy(AlterRetentionPolicy(name: "autogen", database: "db", duration: .some(7 * day),
                                                             shardDuration: day))),
        ParseCase("ALTER RETENTION POLICY r ON db DEFAULT REPLICATION 1 DURATION INF",
                  .alterRetentionPolicy(AlterRetentionPolicy(name: "r", database: "db", duration: .some(nil), replication: 1,
                                                             isDefault: true))),
        ParseCase("DROP RETENTION POLICY r ON db", .dropRetentionPolicy(name: "r", database: "db")),
        ParseCase("SHOW SHARDS", .showShards),
    ])
    func parses(_ c: ParseCase) throws {
        #expect(try QueryParser.parse(c.query) == c.expected)
    }

    @Test(arguments: [
        ErrorCase("CREATE RETENTION POLICY r ON db REPLICATION 1", "found REPLICATION, expected DURATION at line 1, char 33"),
        ErrorCase("CREATE RETENTION POLICY r ON db DURATION 1d", "found EOF, expected REPLICATION at line 1, char 44"),
        ErrorCase("CREATE RETENTION POLICY r ON db DURATION 1d REPLICATION 0",
                  "invalid value 0: must be 1 <= n <= 2147483647 at line 1, char 57"),
        ErrorCase("CREATE RETENTION POLICY r ON db DURATION 1x REPLICATION 1", "invalid duration at line 1, char 42"),
        ErrorCase("CREATE RETENTION POLICY r ON db DURATION 1d REPLICATION 1 SHARD DURATION INF",
                  "invalid duration INF for shard duration at line 1, char 74"),
        ErrorCase("CREATE RETENTION POLICY r ON db DURATION 1d REPLICATION 1 ROLLUP INF",
                  "found INF, expected rollup resolution at line 1, char 66"),
        ErrorCase("ALTER RETENTION POLICY r ON db", "found EOF, expected DURATION, REPLICATION, SHARD, DEFAULT at line 1, char 32"),
        ErrorCase("DROP RETENTION POLICY r", "found EOF, expected ON at line 1, char 25"),
    ])
    func refusesBadSyntax(_ c: ErrorCase) {
        #expect(throws: QueryParseError(c.message)) { try QueryParser.parse(c.query) }
    }

    @Test(arguments: [
        ("CREATE RETENTION POLICY r ON db DURATION 1d REPLICATION 1 ROLLUP 1m", "CREATE RETENTION POLICY"),
        ("ALTER RETENTION POLICY autogen ON db DURATION 1d", "ALTER RETENTION POLICY"),
        ("DROP RETENTION POLICY r ON db", "DROP RETENTION POLICY"),
    ])
    func changesNeedAdmin(_ text: String, _ keyword: String) throws {
        let statement = try #require(try QueryParser.parse(text).first)
        #expect(statement.privilege == .admin)
        #expect(statement.keyword == keyword)
    }

    @Test func showShardsNeedsRead() throws {
        #expect(try QueryParser.parse("SHOW SHARDS").first?.privilege == .read)
    }

    @Test(arguments: [
        (0, "0s"), (168 * hour, "168h0m0s"), (hour, "1h0m0s"), (90 * sec, "1m30s"), (1_500 * ms, "1.5s"),
        (500 * ms, "500ms"), (1_500, "1.5µs"), (7, "7ns"), (day + 1, "24h0m0.000000001s"),
    ] as [(Int64, String)])
    func durationsAreWrittenAsGoWritesThem(_ ns: Int64, _ text: String) {
        #expect(DurationText.goString(ns) == text)
    }

    static func run(_ executor: QueryExecutor, _ text: String) async throws -> String {
        ExecutorFixture.render(try await executor.execute(text, database: "test", now: 0)[0])
    }

    @Test func showsTheRawPoliciesInInfluxDBsColumnsAndTheTiersApart() async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "0s" "24h0m0s" 1i true
            """)
        #expect(try await Self.run(executor, "SHOW ROLLUPS") == """
            {} name,resolution,duration
            "rollup_1m" "1m0s" "0s"
            "rollup_1h" "1h0m0s" "0s"
            """)
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES ON nope") == "error: database not found: nope")
    }

    @Test(arguments: [
        ("CREATE RETENTION POLICY r ON test DURATION 1d REPLICATION 2 ROLLUP 1m",
         "error: REPLICATION 2 is not possible: Strata keeps one copy of each database (use REPLICATION 1)"),
        ("CREATE RETENTION POLICY r ON test DURATION 1d REPLICATION 1 DEFAULT ROLLUP 5m",
         "error: DEFAULT applies only to raw policies: r is a rollup tier, which no write goes to"),
        ("CREATE RETENTION POLICY r ON test DURATION 1d REPLICATION 1 SHARD DURATION 1h ROLLUP 5m",
         "error: SHARD DURATION applies only to raw policies; r is a rollup tier and uses their partitions"),
        ("CREATE RETENTION POLICY autogen ON test DURATION 1d REPLICATION 1 ROLLUP 5m",
         "error: retention policy already exists: autogen"),
        ("CREATE RETENTION POLICY rollup_1m ON test DURATION 1d REPLICATION 1",
         "error: retention policy already exists: rollup_1m"),
        ("CREATE RETENTION POLICY autogen ON test DURATION 1d REPLICATION 1",
         "error: retention policy already exists: autogen"),
        ("CREATE RETENTION POLICY r ON test DURATION 30m REPLICATION 1",
         "error: retention policy duration must be at least 1h0m0s"),
        ("CREATE RETENTION POLICY r ON test DURATION 2h REPLICATION 1 SHARD DURATION 3h",
         "error: retention policy duration must be greater than the shard duration"),
        ("CREATE RETENTION POLICY r ON test DURATION 3d REPLICATION 1 SHARD DURATION 7h",
         "error: shard duration must be a whole number of seconds that divides a day or is a multiple of one"),
        ("CREATE RETENTION POLICY \"a/b\" ON test DURATION 1d REPLICATION 1", "error: invalid name"),
        ("CREATE RETENTION POLICY r ON nope DURATION 1d REPLICATION 1 ROLLUP 5m", "error: database not found: nope"),
        ("CREATE RETENTION POLICY r ON test DURATION 1d REPLICATION 1 ROLLUP 1m", "error: rollup tier rollup_1m already has resolution 1m0s"),
        ("CREATE RETENTION POLICY rollup_1m ON test DURATION 1d REPLICATION 1 ROLLUP 1m",
         "error: retention policy already exists: rollup_1m (use ALTER RETENTION POLICY to change its duration)"),
        ("ALTER RETENTION POLICY nope ON test DURATION 1d", "error: retention policy not found: nope"),
        ("ALTER RETENTION POLICY rollup_1m ON test SHARD DURATION 1h",
         "error: SHARD DURATION applies only to raw policies; rollup_1m is a rollup tier and uses their partitions"),
        ("ALTER RETENTION POLICY rollup_1m ON test DEFAULT",
         "error: DEFAULT applies only to raw policies: rollup_1m is a rollup tier, which no write goes to"),
        ("ALTER RETENTION POLICY autogen ON test REPLICATION 3",
         "error: REPLICATION 3 is not possible: Strata keeps one copy of each database (use REPLICATION 1)"),
        ("DROP RETENTION POLICY autogen ON test",
         "error: autogen holds the data the database began with and cannot be dropped; shorten it with ALTER RETENTION POLICY autogen ON test DURATION <d>, or DROP DATABASE test"),
        ("DROP RETENTION POLICY nothing ON test", ""),
        ("CREATE RETENTION POLICY rollup_1m ON test DURATION INF REPLICATION 1 ROLLUP 1m", ""),
        ("CREATE RETENTION POLICY autogen ON test DURATION INF REPLICATION 1", ""),
    ])
    func refusesWhatStrataCannotKeep(_ text: String, _ answer: String) async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        #expect(try await Self.run(executor, text) == answer)
        #expect(executor.engine.retention(database: "test") == .standard, "a refused statement changed nothing")
        #expect(executor.engine.retentionPolicies(database: "test") == .standard)
    }

    // Needs the engine's setRetention (the compaction work).
    @Test func statementsChangeTheDatabasesRetention() async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        for text in [
            "CREATE RETENTION POLICY rollup_5m ON test DURATION 90d REPLICATION 1 ROLLUP 5m",
            "ALTER RETENTION POLICY autogen ON test DURATION 7d SHARD DURATION 12h DEFAULT",
            "ALTER RETENTION POLICY rollup_1h ON test DURATION 520w",
            "DROP RETENTION POLICY rollup_1m ON test",
        ] {
            #expect(try await Self.run(executor, text) == "", "\(text)")
        }
        #expect(executor.engine.retention(database: "test") == DatabaseRetention(
            rawDuration: 7 * day, partitionDuration: 12 * hour,
            tiers: [RollupTier(name: "rollup_5m", resolution: 5 * minute, duration: 90 * day),
                    RollupTier(name: "rollup_1h", resolution: hour, duration: 520 * week)]))
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES ON test") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "168h0m0s" "12h0m0s" 1i true
            """)
        #expect(try await Self.run(executor, "SHOW ROLLUPS ON test") == """
            {} name,resolution,duration
            "rollup_5m" "5m0s" "2160h0m0s"
            "rollup_1h" "1h0m0s" "87360h0m0s"
            """)
        // The engine's own validation (a resolution that does not divide the partition).
        let refused = try await Self.run(executor, "CREATE RETENTION POLICY r7 ON test DURATION INF REPLICATION 1 ROLLUP 7h")
        #expect(refused.hasPrefix("error: rollup r7: resolution must be"), "\(refused)")
    }
}
