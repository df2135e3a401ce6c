import StrataCore
import Testing
@testable import StrataQuery

/// InfluxDB's raw retention policies: each its own data, one DEFAULT; `db.rp.m` in FROM,
/// the request's `rp`, DROP RETENTION POLICY / DATABASE / MEASUREMENT, CREATE DATABASE … WITH.
@Suite struct RawPolicyStatementTests {
    static func run(_ executor: QueryExecutor, _ text: String, database: String? = "test") async throws -> String {
        ExecutorFixture.render(try await executor.execute(text, database: database, now: 0)[0])
    }

    /// The fixture's data in autogen, and rp0, the default, holding one cpu point.
    static func twoPolicies() async throws -> QueryExecutor {
        let executor = try await ExecutorFixture.executor(flushed: true)
        #expect(try await run(executor, "CREATE RETENTION POLICY rp0 ON test DURATION INF REPLICATION 1 DEFAULT") == "")
        let point = Point(measurement: "cpu", tags: [Tag("host", "z")], fields: [Field("value", .float(42))],
                          timestamp: ExecutorFixture.t0)
        _ = try await executor.engine.write(WriteBatch(database: "test/rp0", points: [point]))
        return executor
    }

    @Test func theDefaultPolicyIsReadUnlessAQueryNamesAnother() async throws {
        let executor = try await Self.twoPolicies()
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "0s" "24h0m0s" 1i false
            "rp0" "0s" "24h0m0s" 1i true
            """)
        #expect(try await Self.run(executor, "SELECT value FROM cpu") == "cpu{} time,value\n0s 42")
        #expect(try await Self.run(executor, "SELECT count(value) FROM test.autogen.cpu") == "cpu{} time,count\nepoch 7i")
        #expect(try await Self.run(executor, "SELECT count(value) FROM autogen.cpu") == "cpu{} time,count\nepoch 7i")
        #expect(try await Self.run(executor, "SELECT value FROM test.rp0.cpu") == "cpu{} time,value\n0s 42")
        #expect(try await Self.run(executor, "SELECT value FROM nope.cpu") == "error: retention policy not found: nope")
        // The request's rp, as /query?rp= sets it: for the request's database only.
        let autogen = QueryExecutor(engine: executor.engine, principal: .unrestricted("t"), retentionPolicy: "autogen")
        #expect(try await Self.run(autogen, "SELECT count(value) FROM cpu") == "cpu{} time,count\nepoch 7i")
        let wrong = QueryExecutor(engine: executor.engine, principal: .unrestricted("t"), retentionPolicy: "nope")
        #expect(try await Self.run(wrong, "SELECT value FROM cpu") == "error: retention policy not found: nope")
        // Tiers are summaries, not a policy queries name.
        #expect(try await Self.run(executor, "SELECT value FROM rollup_1m.cpu") == "error: retention policy not found: rollup_1m")
    }

    @Test func showStatementsReadEveryPolicy() async throws {
        let executor = try await Self.twoPolicies()
        #expect(try await Self.run(executor, "SHOW SERIES FROM cpu")
            == "{} key\n\"cpu,host=a,region=east\"\n\"cpu,host=b,region=west\"\n\"cpu,host=z\"")
        #expect(try await Self.run(executor, "SHOW TAG VALUES FROM cpu WITH KEY = host")
            == "cpu{} key,value\n\"host\" \"a\"\n\"host\" \"b\"\n\"host\" \"z\"")
        #expect(try await Self.run(executor, "SHOW MEASUREMENTS") == "measurements{} name\n\"cpu\"\n\"mem\"")
        #expect(try await Self.run(executor, "SHOW SERIES CARDINALITY FROM cpu") == "cpu{} count\n3i")
    }

    @Test func deletesAndDropsReachEveryPolicy() async throws {
        let executor = try await Self.twoPolicies()
        #expect(try await Self.run(executor, "DELETE FROM cpu WHERE host = 'z'") == "")
        #expect(try await Self.run(executor, "SELECT value FROM cpu") == "")
        #expect(try await Self.run(executor, "DROP MEASUREMENT cpu") == "")
        #expect(try await Self.run(executor, "SELECT count(value) FROM autogen.cpu") == "")
        #expect(try await Self.run(executor, "SHOW MEASUREMENTS") == "measurements{} name\n\"mem\"")
    }

    @Test func droppingThePolicyDropsItsDataAndTheBaseBecomesTheDefault() async throws {
        let executor = try await Self.twoPolicies()
        #expect(try await Self.run(executor, "DROP RETENTION POLICY rp0 ON test") == "")
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "0s" "24h0m0s" 1i true
            """)
        #expect(try await Self.run(executor, "SELECT count(value) FROM cpu") == "cpu{} time,count\nepoch 7i")
        // Made again, it starts empty.
        #expect(try await Self.run(executor, "CREATE RETENTION POLICY rp0 ON test DURATION INF REPLICATION 1") == "")
        #expect(try await Self.run(executor, "SELECT value FROM rp0.cpu") == "")
    }

    @Test func dropDatabaseDropsEveryPolicyAndAMissingOneIsFine() async throws {
        let executor = try await Self.twoPolicies()
        #expect(try await Self.run(executor, "DROP DATABASE test") == "")
        #expect(try await Self.run(executor, "SHOW DATABASES") == "databases{} name")
        #expect(try await Self.run(executor, "SELECT value FROM cpu") == "error: database not found: test")
        #expect(try await Self.run(executor, "DROP DATABASE test") == "")
        #expect(try await Self.run(executor, "CREATE DATABASE test") == "")
        #expect(try await Self.run(executor, "SHOW MEASUREMENTS") == "")
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "0s" "24h0m0s" 1i true
            """)
    }

    @Test func createDatabaseWithNamesAndShapesItsFirstPolicy() async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        #expect(try await Self.run(executor, "CREATE DATABASE d2 WITH DURATION 3d NAME one") == "")
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES ON d2") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "one" "72h0m0s" "24h0m0s" 1i true
            """)
        #expect(try await Self.run(executor, "CREATE DATABASE d2 WITH NAME other")
            == "error: retention policy conflicts with an existing policy")
        #expect(try await Self.run(executor, "CREATE DATABASE d2") == "")
        #expect(try await Self.run(executor, "CREATE DATABASE d3 WITH DURATION 1d") == "")
        #expect(try await Self.run(executor, "SHOW RETENTION POLICIES ON d3") == """
            {} name,duration,shardGroupDuration,replicaN,default
            "autogen" "24h0m0s" "1h0m0s" 1i true
            """, "under two days of retention, hour partitions, as InfluxDB's shard groups")
        #expect(try await Self.run(executor, "CREATE DATABASE d4 WITH REPLICATION 2")
            == "error: REPLICATION 2 is not possible: Strata keeps one copy of each database (use REPLICATION 1)")
        #expect(try await Self.run(executor, "SHOW DATABASES") == "databases{} name\n\"d2\"\n\"d3\"\n\"test\"")
    }
}
