import Testing
@testable import StrataCore
import StrataTestSupport

/// `StorageEngine.write(_ columns:to:)`, the HTTP write path, against `write(_ batch:)`, the
/// per-point rules it must match: for every case, two fresh engines given the same bodies,
/// one through each path, accept the same lines, refuse the same lines for the same
/// reasons, and store the same rows.
@Suite struct WriteColumnsTests {
    static let t: Int64 = 1_704_067_200_000_000_000

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Written first (through the point path on both engines), to establish types.
        var before: [String] = []
        var body: String
        var maxSeries = 0
        /// Lines the engine must refuse.
        var refusedLines: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "clean body, two series, nulls", body: "m,d=a v=1,w=2i 1\nm,d=b v=2 2\nm,d=a w=3i 3", refusedLines: []),
        Case(name: "established type refuses the lines that contradict it",
             before: ["m,d=a v=1 1"], body: "m,d=a v=2 2\nm,d=a v=3i 3\nm,d=b v=4 4\nm,d=b v=5i 5", refusedLines: [2, 4]),
        Case(name: "first type in the body wins across series",
             body: "m,d=a w=1i 1\nm,d=b v=1 2\nm,d=a v=2i 3", refusedLines: [3]),
        Case(name: "a line mixing types within its series",
             body: "m,d=a v=1 1\nm,d=a v=2i 2\nm,d=a v=3 3", refusedLines: [2]),
        Case(name: "a refused line registers none of its types",
             before: ["m,d=a v=1 1"], body: "m,d=a v=1i,x=1 2\nm,d=a x=2i 3", refusedLines: [1]),
        Case(name: "series past the limit", body: "m,d=b v=1 2\nm,d=c v=1 3\nm,d=b v=2 4", maxSeries: 1, refusedLines: [2]),
        Case(name: "series past the limit, with a bad type elsewhere",
             before: ["m,d=a v=1 1"], body: "m,d=b v=1 2\nm,d=c v=1 3\nm,d=a v=2 4\nm,d=c v=2 5\nm,d=a v=3i 6", maxSeries: 2,
             refusedLines: [2, 4, 5]),
    ]

    static func engine(maxSeries: Int) throws -> StorageEngine {
        var options = EngineOptions.forTests
        options.maxSeriesPerDatabase = maxSeries
        return try StorageEngine.open(directory: "/data", options: options, fileSystem: InMemoryFileSystem())
    }

    static func rows(_ engine: StorageEngine) async throws -> [String] {
        try await engine.scan(database: "db", measurement: "m").flatMap { series in
            series.timestamps.indices.map { r in
                let fields = series.columns.keys.sorted().compactMap { name in
                    series.columns[name]!.value(at: r).map { "\(name)=\($0)" }
                }
                return "\(series.key) \(fields.joined(separator: ",")) \(series.timestamps[r])"
            }
        }
    }

    @Test(arguments: cases)
    func columnsFollowThePerPointRules(_ c: Case) async throws {
        let parser = LineProtocolParser()
        let byPoints = try Self.engine(maxSeries: c.maxSeries)
        let byColumns = try Self.engine(maxSeries: c.maxSeries)
        for body in c.before {
            for engine in [byPoints, byColumns] {
                _ = try await engine.write(WriteBatch(database: "db", points: parser.parse(Array(body.utf8), defaultTimestamp: 0).points))
            }
        }
        let parsed = parser.parse(Array(c.body.utf8), defaultTimestamp: 0)
        let pointResult = try await byPoints.write(WriteBatch(database: "db", points: parsed.points))
        let columns = parser.parseColumns(Array(c.body.utf8), defaultTimestamp: 0)
        let columnResult = try await byColumns.write(columns, to: "db")

        #expect(columnResult.rejected.map(\.index) == c.refusedLines)
        #expect(pointResult.rejected.map { parsed.lineNumbers[$0.index] } == c.refusedLines)
        #expect(columnResult.rejected.map(\.reason) == pointResult.rejected.map(\.reason))
        #expect(columnResult.accepted == pointResult.accepted)
        let storedByColumns = try await Self.rows(byColumns)
        let storedByPoints = try await Self.rows(byPoints)
        #expect(storedByColumns == storedByPoints)
        // Types registered alike: a later contradiction is refused by both.
        let probe = parser.parse(Array("m,d=a v=9i,w=9.5 99".utf8), defaultTimestamp: 0).points
        let probedColumns = try await byColumns.write(WriteBatch(database: "db", points: probe)).accepted
        let probedPoints = try await byPoints.write(WriteBatch(database: "db", points: probe)).accepted
        #expect(probedColumns == probedPoints)
        try await byPoints.close()
        try await byColumns.close()
    }

    @Test func rowsOlderThanTheRetentionAreRefusedByLine() async throws {
        var options = EngineOptions.forTests
        options.clock = ManualClock(Self.t)
        options.defaultRetention = DatabaseRetention(rawDuration: 3_600_000_000_000)
        let engine = try await StorageEngine.open(directory: "/data", options: options, fileSystem: InMemoryFileSystem())
        let body = "m,d=a v=1 \(Self.t)\nm,d=a v=2 \(Self.t - 7_200_000_000_000)\nm,d=b v=3 \(Self.t)"
        let result = try await engine.write(LineProtocolParser().parseColumns(Array(body.utf8), defaultTimestamp: 0), to: "db")
        #expect(result.accepted == 2)
        #expect(result.rejected.map(\.index) == [2])
        #expect(result.rejected.first?.reason.hasPrefix("point beyond retention policy") == true)
        try await engine.close()
    }
}
