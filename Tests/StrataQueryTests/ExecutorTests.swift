import Testing
@testable import StrataQuery

/// Every function, fill mode and GROUP BY form on ExecutorFixture's hand-written data. Each
/// answer was worked out by hand from the nine points listed there; times are seconds after T.
@Suite struct ExecutorTests {
    static let T = "'2024-01-01T00:00:00Z'"
    static let window = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:01:20Z'"

    static let cases: [(String, String)] = [
        ("SELECT count(value) FROM cpu", "cpu{} time,count\nepoch 7i"),
        ("SELECT sum(value) FROM cpu", "cpu{} time,sum\nepoch 29"),
        ("SELECT sum(count) FROM cpu", "cpu{} time,sum\nepoch 74i"),
        ("SELECT mean(count) FROM cpu", "cpu{} time,mean\nepoch 14.8"),
        ("SELECT mean(value) FROM cpu GROUP BY host", "cpu{host=a} time,mean\nepoch 3.5\ncpu{host=b} time,mean\nepoch 5"),
        ("SELECT max(value) FROM cpu", "cpu{} time,max\n60s 8"),
        ("SELECT min(value) FROM cpu WHERE host = 'b'", "cpu{} time,min\n30s 4"),
        ("SELECT min(value), max(value) FROM cpu", "cpu{} time,min,max\nepoch 1 8"),
        ("SELECT last(value) FROM cpu WHERE host = 'a'", "cpu{} time,last\n60s 8"),
        ("SELECT first(value) FROM cpu WHERE host = 'b'", "cpu{} time,first\n0s 5"),
        ("SELECT spread(value) FROM cpu", "cpu{} time,spread\nepoch 7"),
        ("SELECT median(value) FROM cpu", "cpu{} time,median\nepoch 4"),
        ("SELECT median(value) FROM cpu WHERE host = 'a'", "cpu{} time,median\nepoch 2.5"),
        ("SELECT percentile(value, 50) FROM cpu", "cpu{} time,percentile\n30s 4"),
        ("SELECT mode(value) FROM cpu", "cpu{} time,mode\nepoch 1"),
                // distinct() lists values in the order they first occur (ties by value), as InfluxDB does.
        ("SELECT distinct(count) FROM cpu", "cpu{} time,distinct\nepoch 1i\nepoch 10i\nepoch 20i\nepoch 40i\nepoch 3i"),
        ("SELECT count(distinct(count)) FROM cpu", "cpu{} time,count\nepoch 5i"),
        ("SELECT integral(value) FROM cpu WHERE host = 'a'", "cpu{} time,integral\nepoch 245"),
        ("SELECT top(value, 2) FROM cpu", "cpu{} time,top\n60s 8\n70s 6"),
        ("SELECT bottom(value, 2) FROM cpu", "cpu{} time,bottom\n0s 1\n20s 2"),
        ("SELECT top(value, host, 1) FROM cpu", "cpu{} time,top,host\n60s 8 \"a\""),
        // Several tags: the best point of each combination of their values competes.
        ("SELECT top(value, host, region, 3) FROM cpu", "cpu{} time,top,host,region\n60s 8 \"a\" \"east\"\n70s 6 \"b\" \"west\""),
        ("SELECT bottom(value, region, host, 1) FROM cpu", "cpu{} time,bottom,region,host\n0s 1 \"east\" \"a\""),
        // A selector's other columns are read at the selected point, expressions too.
        ("SELECT max(value), value - count AS d FROM cpu", "cpu{} time,max,d\n60s 8 -32"),
        ("SELECT top(value, 2), value * 2 AS d, host FROM cpu", "cpu{} time,top,d,host\n60s 8 16 \"a\"\n70s 6 12 \"b\""),
        // A subquery's rows are points of their own: the outer query answers each one, also
        // where it selects only tags or the values are null.
        ("SELECT host FROM (SELECT max(value) FROM cpu GROUP BY host)", "cpu{} time,host\n60s \"a\"\n70s \"b\""),
        ("SELECT d FROM (SELECT value + count AS d FROM cpu WHERE host = 'a')", "cpu{} time,d\n0s 11\n10s 23\n20s -\n60s 48"),
        // Arithmetic joins its sides by bucket, as InfluxDB's binary iterator does: the
        // aggregate side answers every bucket, so the first row stands with a null.
        ("SELECT sum(value) / elapsed(sum(value), 1m) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:02:00Z' GROUP BY time(1m)",
         "cpu{} time,sum_elapsed\n0s -\n60s 14"),
        ("SELECT elapsed(sum(value), 1m) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:02:00Z' GROUP BY time(1m)",
         "cpu{} time,elapsed\n60s 1i"),
        // sample(): every point where the bucket holds no more than asked, by time.
        ("SELECT sample(value, 10) FROM cpu WHERE host = 'b'", "cpu{} time,sample\n0s 5\n30s 4\n70s 6"),
        ("SELECT sample(*, 5) FROM mem", "mem{} time,sample_free,sample_ok,sample_state\n0s 100i true \"up\"\n60s 90i false \"down\""),
        ("SELECT sample(value, 0) FROM cpu", "error: sample window must be greater than 1, got 0"),
        // Refused as InfluxDB refuses them.
        ("SHOW MEASUREMENTS WHERE time > now() - 1h", "error: SHOW MEASUREMENTS doesn't support time in WHERE clause"),
        ("CREATE DATABASE \".\"", "error: invalid name"),
        ("CREATE DATABASE \"a\\\\b\"", "error: invalid name"),
        // Aliases stand as written; a generated name steps aside for them (InfluxDB's ColumnNames).
        ("SELECT max(value) AS m, min(value) AS m FROM cpu", "cpu{} time,m,m\nepoch 8 1"),
        ("SELECT max(value), min(value) AS max FROM cpu", "cpu{} time,max_1,max\nepoch 8 1"),
        ("SELECT top(value, 3) FROM cpu LIMIT 2",
         "error: limit (3) in top function can not be larger than the LIMIT (2) in the select statement"),
        ("SELECT max(value), host FROM cpu", "cpu{} time,max,host\n60s 8 \"a\""),
        // GROUP BY time and every fill mode, host a: buckets of 20 s hold {1,3}, {2}, {}, {8}.
        ("SELECT mean(value) FROM cpu WHERE \(window) GROUP BY time(30s)", "cpu{} time,mean\n0s 2.75\n30s 4\n60s 7"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s)", "cpu{} time,mean\n0s 2\n20s 2\n40s -\n60s 8"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s) fill(none)", "cpu{} time,mean\n0s 2\n20s 2\n60s 8"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s) fill(previous)", "cpu{} time,mean\n0s 2\n20s 2\n40s 2\n60s 8"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s) fill(linear)", "cpu{} time,mean\n0s 2\n20s 2\n40s 5\n60s 8"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s) fill(0)", "cpu{} time,mean\n0s 2\n20s 2\n40s 0\n60s 8"),
        ("SELECT mean(value) FROM cpu WHERE host = 'a' AND \(window) GROUP BY time(20s, 10s) fill(none)", "cpu{} time,mean\n-10s 1\n10s 2.5\n50s 8"),
        ("SELECT max(value) FROM cpu WHERE \(window) GROUP BY time(40s), host fill(none)",
         "cpu{host=a} time,max\n0s 3\n40s 8\ncpu{host=b} time,max\n0s 5\n40s 6"),
        ("SELECT count(value) FROM cpu GROUP BY *", "cpu{host=a,region=east} time,count\nepoch 4i\ncpu{host=b,region=west} time,count\nepoch 3i"),
        ("SELECT count(value) FROM cpu GROUP BY /reg/", "cpu{region=east} time,count\nepoch 4i\ncpu{region=west} time,count\nepoch 3i"),
        // Transformations over raw points of host a: 1@0, 3@10, 2@20, 8@60.
        ("SELECT derivative(value, 10s) FROM cpu WHERE host = 'a'", "cpu{} time,derivative\n10s 2\n20s -1\n60s 1.5"),
        ("SELECT non_negative_derivative(value, 10s) FROM cpu WHERE host = 'a'", "cpu{} time,non_negative_derivative\n10s 2\n60s 1.5"),
        ("SELECT difference(value) FROM cpu WHERE host = 'a'", "cpu{} time,difference\n10s 2\n20s -1\n60s 6"),
        ("SELECT cumulative_sum(value) FROM cpu WHERE host = 'a'", "cpu{} time,cumulative_sum\n0s 1\n10s 4\n20s 6\n60s 14"),
        ("SELECT moving_average(value, 2) FROM cpu WHERE host = 'a'", "cpu{} time,moving_average\n10s 2\n20s 2.5\n60s 5"),
        ("SELECT elapsed(value, 1s) FROM cpu WHERE host = 'a'", "cpu{} time,elapsed\n10s 10i\n20s 10i\n60s 40i"),
        ("SELECT difference(mean(value)) FROM cpu WHERE \(window) GROUP BY time(30s)", "cpu{} time,difference\n30s 1.25\n60s 3"),
        // Raw selects, arithmetic, predicates, ordering and limits.
        ("SELECT value, host FROM cpu WHERE region = 'west'", "cpu{} time,value,host\n0s 5 \"b\"\n30s 4 \"b\"\n70s 6 \"b\""),
        ("SELECT value * 2 + 1 FROM cpu WHERE host = 'b'", "cpu{} time,value\n0s 11\n30s 9\n70s 13"),
        ("SELECT abs(value - 5) FROM cpu WHERE host = 'a'", "cpu{} time,abs\n0s 4\n10s 2\n20s 3\n60s 3"),
        ("SELECT value / count FROM cpu WHERE host = 'a'", "cpu{} time,value_count\n0s 0.1\n10s 0.15\n20s -\n60s 0.2"),
        ("SELECT value FROM cpu WHERE value > 4", "cpu{} time,value\n0s 5\n60s 8\n70s 6"),
        ("SELECT value FROM cpu WHERE host = 'a' OR value < 5", "cpu{} time,value\n0s 1\n10s 3\n20s 2\n30s 4\n60s 8"),
        ("SELECT value FROM cpu WHERE host =~ /^a$/ ORDER BY time DESC LIMIT 2", "cpu{} time,value\n60s 8\n20s 2"),
        ("SELECT value FROM cpu WHERE host = 'a' LIMIT 2 OFFSET 1", "cpu{} time,value\n10s 3\n20s 2"),
        ("SELECT count(value) FROM cpu GROUP BY host SLIMIT 1 SOFFSET 1", "cpu{host=b} time,count\nepoch 3i"),
        ("SELECT count(value) FROM cpu WHERE host !~ /a/", "cpu{} time,count\nepoch 3i"),
        ("SELECT count(value) FROM cpu WHERE time > \(T) + 30s", "cpu{} time,count\n30.000000001s 2i"),
        ("SELECT * FROM mem", "mem{} time,free,host,ok,state\n0s 100i \"a\" true \"up\"\n60s 90i \"a\" false \"down\""),
        ("SELECT *::field FROM mem WHERE ok = true", "mem{} time,free,ok,state\n0s 100i true \"up\""),
        ("SELECT last(*) FROM mem", "mem{} time,last_free,last_ok,last_state\nepoch 90i false \"down\""),
        ("SELECT mean(*) FROM mem", "mem{} time,mean_free\nepoch 95"),
        ("SELECT count(value) FROM cpu WHERE time > now()", ""),
        ("SELECT nothing FROM cpu", ""),
        ("SELECT value FROM nope", ""),
        // Subqueries.
        ("SELECT max(m) FROM (SELECT mean(value) AS m FROM cpu GROUP BY host)", "cpu{} time,max\nepoch 5"),
        ("SELECT m FROM (SELECT max(value) AS m FROM cpu GROUP BY host) WHERE m > 6", "cpu{} time,m\n60s 8"),
        // SHOW.
        ("SHOW MEASUREMENTS", "measurements{} name\n\"cpu\"\n\"mem\""),
        ("SHOW TAG KEYS FROM cpu", "cpu{} tagKey\n\"host\"\n\"region\""),
        ("SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region = 'west'", "cpu{} key,value\n\"host\" \"b\""),
        ("SHOW FIELD KEYS FROM cpu", "cpu{} fieldKey,fieldType\n\"count\" \"integer\"\n\"value\" \"float\""),
        ("SHOW SERIES FROM cpu", "{} key\n\"cpu,host=a,region=east\"\n\"cpu,host=b,region=west\""),
        // Cardinality: per measurement a count, as InfluxDB's rewritten SELECT answers; an
        // estimate of everything in one row (exact here).
        ("SHOW FIELD KEY CARDINALITY", "cpu{} count\n2i\nmem{} count\n3i"),
        ("SHOW FIELD KEY EXACT CARDINALITY FROM cpu", "cpu{} count\n2i"),
        ("SHOW TAG KEY CARDINALITY", "cpu{} count\n2i\nmem{} count\n1i"),
        ("SHOW TAG KEY EXACT CARDINALITY WHERE region = 'west'", "cpu{} count\n2i"),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = host", "cpu{} count\n2i\nmem{} count\n1i"),
        ("SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY IN (host, region)", "cpu{} count\n4i"),
        ("SHOW SERIES CARDINALITY", "{} cardinality estimation\n3i"),
        ("SHOW SERIES EXACT CARDINALITY", "cpu{} count\n2i\nmem{} count\n1i"),
        ("SHOW SERIES CARDINALITY FROM cpu WHERE host = 'b'", "cpu{} count\n1i"),
        ("SHOW MEASUREMENT CARDINALITY", "{} cardinality estimation\n2i"),
        ("SHOW MEASUREMENT EXACT CARDINALITY WHERE region = 'west'", "{} count\n1i"),
        ("SHOW TAG KEY CARDINALITY WHERE time > 0", "error: SHOW TAG KEY CARDINALITY doesn't support time in WHERE clause"),
        // Errors name what is wrong.
        ("SELECT mean(value), value FROM cpu", "error: mixing aggregate and non-aggregate queries is not supported"),
        ("SELECT value FROM cpu GROUP BY time(1m)", "error: GROUP BY requires at least one aggregate function"),
        ("SELECT mean(state) FROM mem", "error: unsupported mean iterator type: string field state"),
        ("SELECT derivative(value) FROM cpu GROUP BY time(1m)", "error: aggregate function required inside the call to derivative"),
        ("SELECT count(value) FROM other.autogen.cpu", "error: database not found: other"),
    ]

    @Test(arguments: cases)
    func answers(query: String, expected: String) async throws {
        for flushed in [false, true] {
            let executor = try await ExecutorFixture.executor(flushed: flushed)
            let results = try await executor.execute(query, database: "test", now: ExecutorFixture.t0 + 3_600_000_000_000)
            #expect(results.count == 1)
            #expect(ExecutorFixture.render(results[0]) == expected, "flushed: \(flushed)")
            try await executor.engine.close()
        }
    }

    @Test func statementsRunInOrderAndFailAlone() async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        let results = try await executor.execute("SELECT count(value) FROM cpu; SELECT x FROM nodb.autogen.cpu; SHOW DATABASES",
                                                  database: "test", now: 0)
        #expect(results.map(\.statementID) == [0, 1, 2])
        #expect(results[1].error == "database not found: nodb")
        #expect(ExecutorFixture.render(results[2]) == "databases{} name\n\"test\"")
        try await executor.engine.close()
    }

    @Test(arguments: [false, true])
    func deleteAndDropSeries(flushed: Bool) async throws {
        let executor = try await ExecutorFixture.executor(flushed: flushed)
        func run(_ q: String) async throws -> String {
            let results = try await executor.execute(q, database: "test", now: ExecutorFixture.t0)
            return results.map(ExecutorFixture.render).joined(separator: "\n")
        }
        #expect(try await run("DELETE FROM cpu WHERE host = 'a' AND time >= \(Self.T) AND time < \(Self.T) + 15s") == "")
        #expect(try await run("SELECT value FROM cpu WHERE host = 'a'") == "cpu{} time,value\n20s 2\n60s 8")
        #expect(try await run("DROP SERIES FROM cpu WHERE host = 'b'") == "")
        #expect(try await run("SHOW TAG VALUES FROM cpu WITH KEY = host") == "cpu{} key,value\n\"host\" \"a\"")
        #expect(try await run("SELECT count(value) FROM cpu") == "cpu{} time,count\nepoch 2i")
        #expect(try await run("DELETE FROM cpu WHERE value > 1") == "error: fields not supported in WHERE clause during deletion")
        #expect(try await run("DROP SERIES FROM cpu WHERE time > 0") == "error: DROP SERIES doesn't support time in WHERE clause")
        try await executor.engine.close()
    }

    /// Block headers answer whole blocks once data is in a segment; a field predicate or a
    /// function that needs every value forces decoding.
    @Test(arguments: [
        ("SELECT count(value), sum(value) FROM cpu", true),
        ("SELECT mean(value) FROM cpu WHERE host = 'a'", true),
        // A lone max() reports its point's time: version 2 block stats keep it.
        ("SELECT max(value) FROM cpu", true),
        ("SELECT last(*) FROM mem", true),
        ("SELECT count(value) FROM cpu WHERE value > 1", false),
        ("SELECT median(value) FROM cpu", false),
    ])
    func explainAnalyzeShowsHeaderAnswers(query: String, fromHeaders: Bool) async throws {
        let executor = try await ExecutorFixture.executor(flushed: true)
        let results = try await executor.execute("EXPLAIN ANALYZE " + query, database: "test", now: ExecutorFixture.t0)
        let lines = results[0].series.first?.values.compactMap { row -> String? in
            if case .string(let s) = row[0] { return s } else { return nil }
        } ?? []
        let summarized = lines.first { $0.hasPrefix("blocks answered from headers: ") }
        #expect(summarized != nil)
        #expect((summarized != "blocks answered from headers: 0") == fromHeaders, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("time total: ") })
        try await executor.engine.close()
    }
}
