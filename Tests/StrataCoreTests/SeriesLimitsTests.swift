import Testing
@testable import StrataCore

/// `max-series-per-database` and `max-values-per-tag` (docs/limits.md): a write that would
/// pass them drops the points of its new series with InfluxDB's reason and keeps the rest;
/// existing series stay writable; a drop frees room.
@Suite struct SeriesLimitsTests {
    static let t: Int64 = 1_704_067_200_000_000_000

    static func engine(series: Int = 0, values: Int = 0) throws -> StorageEngine {
        var options = EngineOptions.forTests
        options.maxSeriesPerDatabase = series
        options.maxValuesPerTag = values
        return try StorageEngine.open(directory: "/data", options: options, fileSystem: InMemoryFileSystem())
    }

    static func point(_ device: String, site: String = "lab", _ v: Double = 1, at s: Int64 = 0) -> Point {
        Point(measurement: "robot", tags: [Tag("device_id", device), Tag("site", site)], fields: [Field("v", .float(v))],
              timestamp: t + s * 1_000_000_000)
    }

    @Test func newSeriesPastTheLimitAreDroppedAndTheRestIsWritten() async throws {
        let engine = try Self.engine(series: 3)
        let points = (0..<5).flatMap { d in [Self.point("r\(d)"), Self.point("r\(d)", at: 1)] }
        let result = try await engine.write(WriteBatch(database: "db", points: points))
        #expect(result.accepted == 6)
        #expect(result.rejected.map(\.index) == [6, 7, 8, 9])
        #expect(Set(result.rejected.map(\.reason)) == ["max-series-per-database limit exceeded: (3)"])
        #expect(engine.seriesKeys(database: "db", measurement: "robot").map { $0.tagValue("device_id")! } == ["r0", "r1", "r2"])
        // Existing series still take writes; another database has its own count.
        #expect(try await engine.write(WriteBatch(database: "db", points: [Self.point("r0", at: 2)])).accepted == 1)
        #expect(try await engine.write(WriteBatch(database: "other", points: [Self.point("r9")])).accepted == 1)
        // A dropped series frees its place.
        _ = try await engine.dropSeries(database: "db", measurement: "robot", where: .equals("device_id", "r1"))
        #expect(try await engine.write(WriteBatch(database: "db", points: [Self.point("r4")])).accepted == 1)
        try await engine.close()
    }

    @Test func concurrentBatchesCannotPassTheLimitTogether() async throws {
        let engine = try Self.engine(series: 10)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for b in 0..<8 {
                group.addTask {
                    let points = (0..<3).map { Self.point("b\(b)-\($0)") }
                    return try await engine.write(WriteBatch(database: "db", points: points)).accepted
                }
            }
            var accepted = 0
            for try await n in group { accepted += n }
            #expect(accepted == 10)
        }
        #expect(engine.seriesKeys(database: "db", measurement: "robot").count == 10)
        try await engine.close()
    }

    @Test func aTagPastItsValueLimitDropsOnlyTheSeriesThatBringANewValue() async throws {
        let engine = try Self.engine(values: 2)
        _ = try await engine.write(WriteBatch(database: "db", points: [Self.point("a"), Self.point("b")]))
        let result = try await engine.write(WriteBatch(database: "db", points: [
            Self.point("c"),                 // a third device_id: refused
            Self.point("a", site: "dock"),   // known device, a second site: fine
            Self.point("b", site: "yard"),   // a third site: refused
        ]))
        #expect(result.accepted == 1)
        #expect(result.rejected.map(\.index) == [0, 2])
        #expect(result.rejected.first?.reason
            == #"max-values-per-tag limit exceeded (2/2): measurement="robot" tag="device_id" value="c""#)
        try await engine.close()
    }

    @Test func zeroMeansNoLimit() async throws {
        let engine = try Self.engine()
        let points = (0..<50).map { Self.point("r\($0)", site: "s\($0)") }
        #expect(try await engine.write(WriteBatch(database: "db", points: points)).accepted == 50)
        try await engine.close()
    }
}
