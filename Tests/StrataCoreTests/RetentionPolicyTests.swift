import Testing
@testable import StrataCore
import StrataTestSupport

/// Raw retention policies as stores (`RetentionPolicies`, StorageEngine+Policies.swift):
/// the catalogue, where writes land, and drops that hold across restarts and crashes.
@Suite struct RetentionPolicyTests {
    static let hour: Int64 = 3_600_000_000_000

    static func open(_ fs: any FileSystem) throws -> StorageEngine {
        try StorageEngine.open(directory: "/data", options: .forTests, fileSystem: fs)
    }

    static func write(_ engine: StorageEngine, _ store: String, seconds: Range<Int64>, battery: Double = 1) async throws {
        let points = seconds.map { robotPoint(device: 0, second: $0, battery: battery + Double($0)) }
        _ = try await engine.write(WriteBatch(database: store, points: points))
    }

    static func rows(_ engine: StorageEngine, _ store: String) throws -> Int {
        try engine.scan(database: store, measurement: "robot").reduce(0) { $0 + $1.timestamps.count }
    }

    /// A database with autogen (base) and rp0, the default, each holding rows.
    static func twoPolicies(_ fs: any FileSystem) async throws -> StorageEngine {
        let engine = try Self.open(fs)
        try await engine.createDatabase("db")
        try await engine.setRawPolicy("rp0", database: "db", retention: DatabaseRetention(partitionDuration: hour),
                                makeDefault: true)
        try await Self.write(engine, "db", seconds: 0..<3)
        try await Self.write(engine, "db/rp0", seconds: 0..<5)
        return engine
    }

    @Test func eachRawPolicyIsAStoreAndTheDefaultIsWhereUnnamedWritesGo() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await Self.twoPolicies(fs)
        func check(_ e: StorageEngine) throws {
            #expect(try e.store(database: "db", policy: nil) == "db/rp0")
            #expect(try e.store(database: "db", policy: "autogen") == "db")
            #expect(throws: EngineError.self) { try e.store(database: "db", policy: "nope") }
            #expect(throws: EngineError.self) { try e.store(database: "nope", policy: nil) }
            #expect(e.databaseNames() == ["db"], "a store is not a database")
            #expect(!e.databaseExists("db/rp0"))
            #expect(e.stores(database: "db").map(\.store) == ["db", "db/rp0"])
            #expect(e.retention(database: "db/rp0").partitionDuration == Self.hour)
            #expect(try Self.rows(e, "db") == 3)
            #expect(try Self.rows(e, "db/rp0") == 5)
        }
        try check(engine)
        try await engine.flush()
        try await engine.close()
        try check(try Self.open(fs))
    }

    @Test func aNameWithASlashIsNoDatabase() throws {
        let engine = try Self.open(InMemoryFileSystem())
        #expect(throws: EngineError.self) { try engine.createDatabase("db/rp") }
        try engine.createDatabase("db")
        #expect(throws: EngineError.self) {
            try engine.setRawPolicy("a/b", database: "db", retention: .standard, makeDefault: false)
        }
    }

    @Test func droppingAPolicyDropsItsDataEvenWhenTheManifestSaveFails() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await Self.twoPolicies(fs)
        try await engine.flush()
        try await Self.write(engine, "db/rp0", seconds: 5..<7)
        fs.fail("rename")
        // The WAL record is durable and applied; only the manifest save after it fails.
        await #expect(throws: FileSystemError.self) { try await engine.dropRawPolicy("rp0", database: "db") }
        #expect(engine.retentionPolicies(database: "db").names == ["autogen"])
        fs.crash()
        fs.heal()
        let reopened = try Self.open(fs)
        #expect(reopened.retentionPolicies(database: "db") == .standard, "replay drops the policy again")
        #expect(try reopened.store(database: "db", policy: nil) == "db")
        #expect(try Self.rows(reopened, "db/rp0") == 0)
        #expect(reopened.seriesKeys(database: "db/rp0", measurement: "robot").isEmpty)
        #expect(try Self.rows(reopened, "db") == 3, "the other policy keeps its rows")
    }

    @Test func aDropTakesSeriesWrittenAfterItsSnapshotToo() async throws {
        let engine = try await Self.twoPolicies(InMemoryFileSystem())
        // As if a write landed between the drop's snapshot of the series and its record.
        let sequence = engine.stats().lastSequence + 1
        engine.state.withLock {
            $0.apply(Tombstone(sequence: sequence, database: "db/rp0", keys: [], range: nil, dropsStore: true), now: 0)
        }
        #expect(engine.seriesKeys(database: "db/rp0", measurement: "robot").isEmpty)
        #expect(try Self.rows(engine, "db/rp0") == 0)
        #expect(try Self.rows(engine, "db") == 3)
    }

    @Test func theBasePolicyCannotBeDropped() async throws {
        let engine = try await Self.twoPolicies(InMemoryFileSystem())
        await #expect(throws: EngineError.self) { try await engine.dropRawPolicy("autogen", database: "db") }
        #expect(try Self.rows(engine, "db") == 3)
    }

    @Test func dropDatabaseRemovesEveryPolicyAndARecreatedOneStartsEmpty() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await Self.twoPolicies(fs)
        try await engine.flush()
        try await engine.dropDatabase("db")
        #expect(engine.databaseNames().isEmpty)
        try await engine.close()
        let reopened = try Self.open(fs)
        #expect(reopened.databaseNames().isEmpty)
        try await reopened.createDatabase("db")
        #expect(reopened.retentionPolicies(database: "db") == .standard)
        try await Self.write(reopened, "db", seconds: 10..<11)
        #expect(try Self.rows(reopened, "db") == 1, "rows from before the drop stay masked")
        try await reopened.compact()
        #expect(try Self.rows(reopened, "db") == 1)
    }

    @Test func aDeleteThatEmptiesASeriesTakesItOutOfTheIndex() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await engine.createDatabase("db")
        try await Self.write(engine, "db", seconds: 0..<3)
        try await engine.flush()
        try await Self.write(engine, "db", seconds: 3..<5)
        let base: Int64 = 1_704_067_200_000_000_000, second: Int64 = 1_000_000_000
        _ = try await engine.delete(database: "db", measurement: nil, where: .all, range: base...(base + 3 * second))
        #expect(engine.seriesKeys(database: "db", measurement: "robot").count == 1, "a row at 4 s remains")
        _ = try await engine.delete(database: "db", measurement: nil, where: .all, range: (base + 4 * second)...(base + 9 * second))
        #expect(engine.seriesKeys(database: "db", measurement: "robot").isEmpty)
        try await engine.close()
        #expect(try Self.open(fs).seriesKeys(database: "db", measurement: "robot").isEmpty, "the same after a restart")
    }

    @Test func aPolicyMadeAgainStartsWithNothingCut() async throws {
        let hour = CompactionFixture.hour
        let clock = ManualClock(10 * hour)
        // The server's default: raw data for 2 h, in hour partitions.
        let options = CompactionFixture.options(retention: RetentionTests.shortLived, now: clock)
        let engine = try CompactionFixture.open(InMemoryFileSystem(), options: options)
        try await engine.createDatabase("a")
        try await engine.setRawPolicy("p", database: "a", retention: RetentionTests.shortLived, makeDefault: true)
        func point(_ t: Int64) -> WriteBatch {
            WriteBatch(database: "a/p", points: [Point(measurement: "m", tags: [], fields: [Field("x", .float(1))],
                                                       timestamp: t)])
        }
        #expect(try await engine.write(point(9 * hour)).accepted == 1)
        try await engine.flush()
        _ = try await engine.compact()
        try await engine.dropRawPolicy("p", database: "a")
        // The dropped store's files are still there: a retention pass cuts them again.
        _ = try await engine.applyRetention()
        try await engine.setRawPolicy("p", database: "a", retention: DatabaseRetention(partitionDuration: hour),
                                      makeDefault: true)
        #expect(try await engine.write(point(hour)).accepted == 1, "kept forever now: an old point is no longer refused")
    }

    @Test(arguments: [
        ([0...9], 2...5, true),
        ([0...3, 4...9], 2...5, true),
        ([0...3, 5...9], 2...6, false),
        ([3...9], 2...5, false),
        ([Int64.min...Int64.max], 2...5, true),
        ([0...4, 2...3], 1...5, false),
    ] as [([ClosedRange<Int64>], ClosedRange<Int64>, Bool)])
    func masksCoverASpanByTheirUnion(_ masks: [ClosedRange<Int64>], _ span: ClosedRange<Int64>, _ covered: Bool) {
        #expect(SegmentSeries.covers(masks.sorted { $0.lowerBound < $1.lowerBound }, span) == covered)
    }
}
