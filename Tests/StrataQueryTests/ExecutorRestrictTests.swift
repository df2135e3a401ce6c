import StrataCore
import Testing
@testable import StrataQuery

/// A restricted executor (a device-limited token) sees only the series its predicate lets
/// through, in every statement: reads, metadata and deletes (docs/auth.md).
@Suite struct ExecutorRestrictTests {
    static let lines = """
        robot,device_id=r1,fleet=n battery=80 0
        robot,device_id=r1,fleet=n battery=79 10
        robot,device_id=r2,fleet=s battery=50 0
        robot,site=x battery=10 0
        arm,device_id=r2 torque=5i 0
        """
    static let restriction = TagPredicate.isIn("device_id", ["r1"])

    static func engine(flushed: Bool) async throws -> StorageEngine {
        try await ExecutorFixture.engine(lines: lines, flushed: flushed)
    }

    static func run(_ engine: StorageEngine, _ q: String, restriction: TagPredicate?) async throws -> String {
        let results = try await QueryExecutor(engine: engine).execute(q, database: "test", now: nil, restriction: restriction)
        return results.map(ExecutorFixture.render).joined(separator: "\n;\n")
    }

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
        ("SHOW DATABASES", "databases{} name\n\"test\""),
    ]

    @Test(arguments: cases, [false, true])
    func restrictedStatements(_ c: (String, String), flushed: Bool) async throws {
        let engine = try await Self.engine(flushed: flushed)
        #expect(try await Self.run(engine, c.0, restriction: Self.restriction) == c.1, "\(c.0)")
        try await engine.close()
    }

    @Test func unrestrictedSeesEverything() async throws {
        let engine = try await Self.engine(flushed: false)
        #expect(try await Self.run(engine, "SELECT count(battery) FROM robot", restriction: nil) == "robot{} time,count\nepoch 4i")
        #expect(try await Self.run(engine, "SHOW MEASUREMENTS", restriction: nil) == "measurements{} name\n\"arm\"\n\"robot\"")
        try await engine.close()
    }

    @Test(arguments: ["DELETE FROM robot", "DROP SERIES FROM robot", "DELETE WHERE fleet = 'n' OR fleet = 's'"])
    func deletesStayWithinTheRestriction(_ statement: String) async throws {
        let engine = try await Self.engine(flushed: false)
        _ = try await Self.run(engine, statement, restriction: Self.restriction)
        let left = try await Self.run(engine, "SHOW SERIES", restriction: nil)
        #expect(left == "{} key\n\"arm,device_id=r2\"\n\"robot,device_id=r2,fleet=s\"\n\"robot,site=x\"")
        #expect(try await Self.run(engine, "SELECT count(battery) FROM robot", restriction: nil) == "robot{} time,count\nepoch 2i")
        try await engine.close()
    }

    @Test func restrictionsNarrowEachOther() async throws {
        let engine = try await Self.engine(flushed: false)
        let executor = QueryExecutor(engine: engine, restriction: .isIn("device_id", ["r1", "r2"]))
        let results = try await executor.execute("SHOW SERIES", database: "test", now: nil, restriction: .equals("fleet", "s"))
        #expect(results.map(ExecutorFixture.render) == ["{} key\n\"robot,device_id=r2,fleet=s\""])
        try await engine.close()
    }
}
