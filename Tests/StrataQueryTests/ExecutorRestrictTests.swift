import StrataCore
import Testing
@testable import StrataQuery

/// An executor for a device-limited principal sees only the series of its devices, in every
/// statement: reads, metadata and deletes; and refuses what acts on every device (docs/auth.md).
@Suite struct ExecutorRestrictTests {
    static let lines = """
        robot,device_id=r1,fleet=n battery=80 0
        robot,device_id=r1,fleet=n battery=79 10
        robot,device_id=r2,fleet=s battery=50,secret=1 0
        robot,site=x battery=10 0
        arm,device_id=r2 torque=5i 0
        """
    static let limited = QueryPrincipal(name: "token t1", privileges: [.read, .write],
                                        devices: DeviceAllowlist(tag: "device_id", values: ["r1"]))

    /// `test` as above, and `other`, where only r2 has series.
    static func engine(flushed: Bool) async throws -> StorageEngine {
        let engine = try await ExecutorFixture.engine(lines: lines, flushed: flushed)
        try await engine.createDatabase("other")
        let point = Point(measurement: "robot", tags: [Tag("device_id", "r2")], fields: [Field("battery", .float(1))],
                          timestamp: ExecutorFixture.t0)
        _ = try await engine.write(WriteBatch(database: "other", points: [point]))
        return engine
    }

    static func run(_ engine: StorageEngine, _ q: String, as principal: QueryPrincipal = limited) async throws -> String {
        let results = try await QueryExecutor(engine: engine, principal: principal).execute(q, database: "test", now: nil)
        return results.map(ExecutorFixture.render).joined(separator: "\n;\n")
    }

    static let everything = QueryPrincipal.unrestricted("test")

    static let cases: [(String, String)] = [
        ("SELECT battery FROM robot", "robot{} time,battery\n0s 80\n10s 79"),
        ("SELECT count(battery) FROM robot", "robot{} time,count\nepoch 2i"),
        ("SELECT count(battery) FROM robot WHERE device_id = 'r2'", ""),
        ("SELECT count(battery) FROM robot WHERE fleet = 's' OR device_id = 'r1'", "robot{} time,count\nepoch 2i"),
        ("SELECT * FROM robot", "robot{} time,battery,device_id,fleet\n0s 80 \"r1\" \"n\"\n10s 79 \"r1\" \"n\""),
        ("SELECT max(battery) FROM robot GROUP BY *", "robot{device_id=r1,fleet=n} time,max\n0s 80"),
        ("SELECT count(*) FROM /.*/", "robot{} time,count_battery\nepoch 2i"),
        ("SELECT sum(n) FROM (SELECT count(battery) AS n FROM robot GROUP BY device_id)", "robot{} time,sum\nepoch 2i"),
        ("SELECT torque FROM arm", ""),
        ("SHOW MEASUREMENTS", "measurements{} name\n\"robot\""),
        ("SHOW SERIES", "{} key\n\"robot,device_id=r1,fleet=n\""),
        ("SHOW SERIES WHERE fleet = 's'", ""),
        ("SHOW TAG KEYS", "robot{} tagKey\n\"device_id\"\n\"fleet\""),
        ("SHOW TAG VALUES WITH KEY = device_id", "robot{} key,value\n\"device_id\" \"r1\""),
        ("SHOW TAG VALUES FROM robot WITH KEY IN (fleet, site)", "robot{} key,value\n\"fleet\" \"n\""),
        ("SHOW FIELD KEYS", "robot{} fieldKey,fieldType\n\"battery\" \"float\""),
        // Counts are of what the token may see.
        ("SHOW SERIES CARDINALITY", "{} cardinality estimation\n1i"),
        ("SHOW MEASUREMENT CARDINALITY", "{} cardinality estimation\n1i"),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = device_id", "robot{} count\n1i"),
        ("SHOW FIELD KEY CARDINALITY", "robot{} count\n1i"),
        ("SHOW DATABASES", "databases{} name\n\"test\""),
        ("SHOW MEASUREMENTS ON other", "error: database not found: other"),
        ("SELECT * FROM other.autogen.robot", "error: database not found: other"),
    ]

    @Test(arguments: cases, [false, true])
    func restrictedStatements(_ c: (String, String), flushed: Bool) async throws {
        let engine = try await Self.engine(flushed: flushed)
        #expect(try await Self.run(engine, c.0) == c.1, "\(c.0)")
        try await engine.close()
    }

    @Test func unrestrictedSeesEverything() async throws {
        let engine = try await Self.engine(flushed: false)
        #expect(try await Self.run(engine, "SELECT count(battery) FROM robot", as: Self.everything) == "robot{} time,count\nepoch 4i")
        #expect(try await Self.run(engine, "SHOW MEASUREMENTS", as: Self.everything) == "measurements{} name\n\"arm\"\n\"robot\"")
        try await engine.close()
    }

    @Test(arguments: ["DELETE FROM robot", "DROP SERIES FROM robot", "DELETE WHERE fleet = 'n' OR fleet = 's'"])
    func deletesStayWithinTheRestriction(_ statement: String) async throws {
        let engine = try await Self.engine(flushed: false)
        _ = try await Self.run(engine, statement)
        let left = try await Self.run(engine, "SHOW SERIES", as: Self.everything)
        #expect(left == "{} key\n\"arm,device_id=r2\"\n\"robot,device_id=r2,fleet=s\"\n\"robot,site=x\"")
        #expect(try await Self.run(engine, "SELECT count(battery) FROM robot", as: Self.everything) == "robot{} time,count\nepoch 2i")
        try await engine.close()
    }

    @Test(arguments: ["SHOW SHARDS", "CREATE DATABASE x", "DROP DATABASE other", "ALTER RETENTION POLICY autogen ON test DURATION 1h",
                      "CREATE RETENTION POLICY r ON test DURATION 1h REPLICATION 1", "DROP RETENTION POLICY rollup_1m ON test"])
    func statementsOverEveryDeviceAreRefused(_ statement: String) async throws {
        let engine = try await Self.engine(flushed: false)
        let admin = QueryPrincipal(name: "token t2", privileges: [.read, .write, .admin], devices: Self.limited.devices)
        let executor = QueryExecutor(engine: engine, principal: admin)
        await #expect(throws: QueryRejection.self) { try await executor.execute(statement + "; SELECT * FROM robot", database: "test") }
        #expect(engine.databaseNames() == ["other", "test"])
        try await engine.close()
    }

    @Test(arguments: [
        ([StatementPrivilege.read], "DELETE FROM robot", "token t3 lacks the write scope needed for DELETE"),
        ([.read], "SELECT * FROM robot; DROP SERIES FROM robot", "token t3 lacks the write scope needed for DROP SERIES"),
        ([.write], "SHOW MEASUREMENTS", "token t3 lacks the read scope needed for SHOW MEASUREMENTS"),
        ([.write], "EXPLAIN SELECT * FROM robot", "token t3 lacks the read scope needed for EXPLAIN"),
        ([.read, .write], "CREATE DATABASE x", "token t3 lacks the admin scope needed for CREATE DATABASE"),
        ([.read, .write], "DROP DATABASE test", "token t3 lacks the admin scope needed for DROP DATABASE"),
        ([.read], "DROP MEASUREMENT robot", "token t3 lacks the write scope needed for DROP MEASUREMENT"),
    ])
    func theExecutorChecksEachStatementsPrivilege(_ privileges: [StatementPrivilege], _ q: String, _ error: String) async throws {
        let engine = try await Self.engine(flushed: false)
        let executor = QueryExecutor(engine: engine, principal: QueryPrincipal(name: "token t3", privileges: Set(privileges)))
        await #expect(throws: QueryRejection.forbidden(QueryAuthorizationError(error))) {
            try await executor.execute(q, database: "test")
        }
        // Refused whole: nothing ran.
        #expect(try await Self.run(engine, "SELECT count(battery) FROM robot", as: Self.everything) == "robot{} time,count\nepoch 4i")
        try await engine.close()
    }
}
