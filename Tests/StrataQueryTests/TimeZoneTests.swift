import StrataCore
import Testing
@testable import StrataQuery

/// tz(): buckets on a zone's wall clock across offset changes, literals read in the zone,
/// times written with its offset. Expected answers are InfluxDB 1.6's for the same data.
@Suite struct TimeZoneTests {
    static let hour: Int64 = 3_600_000_000_000

    /// Hourly points `v` = hour index from 2024-03-08T00:00Z for five days (the US spring
    /// change is 2024-03-10T08:00Z) and from 2024-11-01T00:00Z (fall: 2024-11-03T07:00Z).
    static func executor() async throws -> QueryExecutor {
        let engine = try await ExecutorFixture.engine(lines: "", flushed: false)
        var points: [Point] = []
        for start: Int64 in [1_709_856_000, 1_730_419_200] {
            for h in 0..<120 {
                points.append(Point(measurement: "dst", tags: [], fields: [Field("v", .integer(Int64(h)))],
                                    timestamp: (start + Int64(h) * 3_600) * 1_000_000_000))
            }
        }
        _ = try await engine.write(WriteBatch(database: "test", points: points))
        return QueryExecutor(engine: engine, principal: .unrestricted("test"))
    }

    static func rows(_ q: String) async throws -> [String] {
        let result = try await executor().execute(q, database: "test", now: 0)[0]
        if let error = result.error { return ["error: \(error)"] }
        return result.series.flatMap { s in
            s.values.map { row in row.map { v in
                if case .time(let t) = v { return RFC3339.format(t, in: s.zone) }
                return ExecutorFixture.render(v)
            }.joined(separator: " ") }
        }
    }

    @Test func dayBucketsStartAtLocalMidnightAcrossTheSpringChange() async throws {
        #expect(try await Self.rows("""
            SELECT count(v) FROM dst WHERE time >= '2024-03-09' AND time < '2024-03-12' GROUP BY time(1d) tz('America/Chicago')
            """) == [
            "2024-03-09T00:00:00-06:00 24i", "2024-03-10T00:00:00-06:00 23i", "2024-03-11T00:00:00-05:00 24i",
        ])
    }

    @Test func fallBackMakesA25HourDay() async throws {
        #expect(try await Self.rows("""
            SELECT count(v) FROM dst WHERE time >= '2024-11-02' AND time < '2024-11-05' GROUP BY time(1d) fill(0) tz('America/Chicago')
            """) == [
            "2024-11-02T00:00:00-05:00 24i", "2024-11-03T00:00:00-05:00 25i", "2024-11-04T00:00:00-06:00 24i",
        ])
    }

    @Test func aTwoHourBucketAtTheChangeIsOneHourLong() async throws {
        let rows = try await Self.rows("""
            SELECT count(v) FROM dst WHERE time >= '2024-03-10' AND time < '2024-03-10 06:00:00' GROUP BY time(2h) tz('America/Chicago')
            """)
        #expect(rows == [
            "2024-03-10T00:00:00-06:00 2i", "2024-03-10T03:00:00-05:00 1i", "2024-03-10T04:00:00-05:00 2i",
        ])
    }

    @Test func literalsWithoutAnOffsetAreWallClockTimes() async throws {
        // 01:00 and 03:00 CST/CDT are 07:00Z and 08:00Z: the clock skips 02:00.
        #expect(try await Self.rows("SELECT v FROM dst WHERE time >= '2024-03-10 01:00:00' AND time <= '2024-03-10 03:00:00' tz('America/Chicago')")
            == ["2024-03-10T01:00:00-06:00 55i", "2024-03-10T03:00:00-05:00 56i"])
        #expect(try await Self.rows("SELECT v FROM dst WHERE time = '2024-03-10T07:00:00Z' tz('Asia/Kolkata')")
            == ["2024-03-10T12:30:00+05:30 55i"])
    }

    @Test(arguments: [
        (0, "UTC", "1970-01-01T00:00:00Z"),
        (946_684_800_500_000_000, "America/Chicago", "1999-12-31T18:00:00.5-06:00"),
        (946_684_800_000_000_000, "Asia/Kathmandu", "2000-01-01T05:45:00+05:45"),
        (946_684_800_000_000_000, "Europe/London", "2000-01-01T00:00:00Z"),
    ] as [(Int64, String, String)])
    func timesAreWrittenWithTheZonesOffset(_ t: Int64, _ zone: String, _ text: String) throws {
        #expect(RFC3339.format(t, in: try #require(QueryZone(zone))) == text)
    }

    @Test func theParserKnowsZonesAndRefusesOthers() throws {
        let parsed = try QueryParser.parse("SELECT mean(v) FROM m GROUP BY time(1d) tz('America/Chicago')")
        guard case .select(let s) = parsed.first else { Issue.record("not a select"); return }
        #expect(s.zone == QueryZone("America/Chicago"))
        #expect(throws: QueryParseError("unknown time zone Mars/Olympus")) {
            try QueryParser.parse("SELECT v FROM m tz('Mars/Olympus')")
        }
        #expect(throws: QueryParseError.self) { try QueryParser.parse("SELECT v FROM m tz(America)") }
    }
}
