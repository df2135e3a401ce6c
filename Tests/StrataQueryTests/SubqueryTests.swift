import StrataCore
import Testing
@testable import StrataQuery

/// How a subquery's points reach the outer query, as InfluxDB hands them over.
@Suite struct SubqueryTests {
    static func run(_ lines: String, _ q: String) async throws -> String {
        let engine = try await ExecutorFixture.engine(lines: lines, flushed: false)
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
        return ExecutorFixture.render(try await executor.execute(q, database: "test", now: 0)[0])
    }

    @Test func theOuterGroupByTagsGroupTheInnerQueryToo() async throws {
        // Without the outer GROUP BY host, top(value, 1) would pick a's 8 alone.
        let answer = try await Self.run(ExecutorFixture.lines,
                                        "SELECT max(v) FROM (SELECT top(value, 1) AS v FROM cpu) GROUP BY host")
        #expect(answer == "cpu{host=a} time,max\n60s 8\ncpu{host=b} time,max\n70s 6")
    }

    @Test func aSubquerysPointsAreSummedOneByOne() async throws {
        let lines = """
            m,h=a v=-2.5 10
            m,h=a v=-2.2 20
            m,h=b v=1.7 10
            m,h=b v=-1.6 20
            """
        // Summed per series first, the total would be -4.7 + 0.1 = -4.6000000000000005.
        #expect(try await Self.run(lines, "SELECT sum(v) FROM (SELECT v FROM m GROUP BY h)") == "m{} time,sum\nepoch -4.6")
    }
}
