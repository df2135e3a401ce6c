import Testing
@testable import StrataCore
import StrataTestSupport

private let hour = CompactionFixture.hour

/// Retention drops whole partitions (raw) and tier files past their cuts, keeps the rest,
/// refuses writes it would drop at once, and validates what `setRetention` is given.
@Suite struct RetentionTests {
    typealias F = CompactionFixture

    /// Raw data 2 h in hour partitions; a one-minute tier kept 6 h.
    static let shortLived = DatabaseRetention(
        rawDuration: 2 * hour, partitionDuration: hour,
        tiers: [RollupTier(name: "rollup_1m", resolution: F.minute, duration: 6 * hour)])

    static func minutes(_ range: Range<Int64>) -> WriteBatch {
        WriteBatch(database: "a", points: range.map { i in
            Point(measurement: "m", tags: [Tag("dev", "d0")], fields: [Field("x", .float(Double(i)))], timestamp: i * F.minute)
        })
    }

    @Test func dataPastItsLimitDisappearsAsWholePartitionsAndTheTierOutlivesRaw() async throws {
        let clock = ManualClock(2 * hour)
        let fs = InMemoryFileSystem()
        let options = F.options(retention: Self.shortLived, now: clock)
        var engine = try F.open(fs, options: options)
        #expect(try await engine.write(Self.minutes(0..<120)).accepted == 120)
        try await engine.flush()
        _ = try await engine.compact()

        clock.set(4 * hour)
        #expect(try await engine.write(Self.minutes(120..<240)).accepted == 120)
        try await engine.flush()
        var report = try await engine.compact()
        // Raw cut at 2 h: partitions [0, 1 h) and [1 h, 2 h) go whole; their tier stays.
        #expect(report.partitionsExpired == 2 && report.tierFilesExpired == 0)
        var rows = try await engine.scan(database: "a", measurement: "m")
        #expect(rows.first?.timestamps == (120..<240).map { $0 * F.minute })
        var infos = engine.partitions(database: "a")
        #expect(infos.map(\.partition.start) == [0, hour, 2 * hour, 3 * hour])
        #expect(infos.map { $0.rawFile != nil } == [false, false, true, true])
        #expect(infos.allSatisfy { $0.tiers.map(\.name) == ["rollup_1m"] })

        clock.set(9 * hour)
        report = try await engine.applyRetention()
        // Raw cut at 7 h drops the rest of the raw data; the tier's cut at 3 h its first three files.
        #expect(report.partitionsExpired == 2 && report.tierFilesExpired == 3)
        rows = try await engine.scan(database: "a", measurement: "m")
        #expect(rows.isEmpty)
        infos = engine.partitions(database: "a")
        #expect(infos.map(\.partition.start) == [3 * hour] && infos.first?.rawFile == nil)
        let cuts = engine.state.withLock { $0.manifest.cuts["a"] }
        #expect(cuts == Manifest.RetentionCuts(raw: 7 * hour, tiers: ["rollup_1m": 3 * hour]))

        // Cuts never move back, and survive a reopen.
        clock.set(5 * hour)
        _ = try await engine.applyRetention()
        try await engine.close()
        engine = try F.open(fs, options: options)
        #expect(engine.state.withLock { $0.manifest.cuts["a"] } == cuts)
        #expect(engine.partitions(database: "a").map(\.partition.start) == [3 * hour])
        #expect(Set(try fs.listDirectory(F.dir + "/segments")).count == 1)
        try await engine.close()
    }

    @Test func compactionDropsFlushedRowsBelowTheRawCut() async throws {
        let clock = ManualClock(2 * hour)
        let engine = try F.open(InMemoryFileSystem(), options: F.options(retention: Self.shortLived, now: clock))
        _ = try await engine.write(Self.minutes(0..<150))
        try await engine.flush()
        clock.set(4 * hour)
        let report = try await engine.compact()
        // [0, 2 h) is past the cut: its 120 rows go with the flushed segment, unwritten.
        #expect(report.rowsDropped == 120 && report.partitionsWritten == 1 && report.rowsWritten == 30)
        #expect(F.levels(engine).level0 == 0 && F.levels(engine).level1.map(\.start) == [2 * hour])
        await #expect(try engine.scan(database: "a", measurement: "m").first?.timestamps.first == 120 * F.minute)
        try await engine.close()
    }

    @Test func aWriteOlderThanTheRetentionIsRefusedWithItsReasonAndTheOthersAreKept() async throws {
        let clock = ManualClock(10 * hour)
        let engine = try F.open(InMemoryFileSystem(), options: F.options(retention: Self.shortLived, now: clock))
        let point = { (t: Int64) in Point(measurement: "m", fields: [Field("x", .float(1))], timestamp: t) }
        let result = try await engine.write(WriteBatch(database: "a", points: [
            point(9 * hour), point(8 * hour - F.minute), point(9 * hour + 30 * F.minute),
        ]))
        #expect(result.accepted == 2)
        #expect(result.rejected.map(\.index) == [1])
        let reason = result.rejected.first?.reason ?? ""
        #expect(reason.contains("beyond retention policy"))
        #expect(reason.contains("1970-01-01T07:59:00Z") && reason.contains("\"a\"") && reason.contains("2h"), "\(reason)")
        await #expect(try engine.scan(database: "a", measurement: "m").first?.timestamps == [9 * hour, 9 * hour + 30 * F.minute])
        try await engine.close()
    }

    static func retention(raw: Int64? = nil, partition: Int64 = hour, tiers: [(String, Int64, Int64?)]) -> DatabaseRetention {
        DatabaseRetention(rawDuration: raw, partitionDuration: partition,
                          tiers: tiers.map { RollupTier(name: $0.0, resolution: $0.1, duration: $0.2) })
    }

    @Test(arguments: [
        ("a", RetentionTests.retention(raw: -1, tiers: []), "raw retention duration must be positive"),
        ("a", RetentionTests.retention(partition: 7_000_000_000, tiers: []), "shard duration must be a whole number of seconds"),
        ("a", RetentionTests.retention(tiers: [("r", 7 * F.minute, nil)]), "rollup r: resolution must be a whole number of seconds dividing"),
        ("a", RetentionTests.retention(tiers: [("r", F.minute, nil), ("r", hour, nil)]), "rollup name \"r\" is used twice"),
        ("a", RetentionTests.retention(tiers: [("autogen", F.minute, nil)]), "rollup name \"autogen\" is reserved"),
        ("a", RetentionTests.retention(tiers: [("r", F.minute, 0)]), "rollup r: duration must be positive"),
        ("nosuch", RetentionTests.retention(tiers: []), "database not found: \"nosuch\""),
        ("a", RetentionTests.retention(partition: 2 * hour, tiers: []), "its shard duration cannot change to 2h"),
    ] as [(String, DatabaseRetention, String)])
    func setRetentionRefusesWhatItCannotUse(database: String, retention: DatabaseRetention, message: String) async throws {
        let engine = try F.open(InMemoryFileSystem())
        _ = try await engine.write(Self.minutes(0..<3))
        try await engine.flush()
        _ = try await engine.compact()
        let error = #expect(throws: EngineError.self) { try engine.setRetention(retention, database: database) }
        guard case .invalidRetention(let text)? = error else {
            Issue.record("\(String(describing: error)) is not an invalid retention")
            return
        }
        #expect(text.contains(message), "\(text)")
        #expect(engine.retention(database: "a") == F.hourly)
        try await engine.close()
    }

    @Test func aRetentionSetIsKeptAcrossAReopen() async throws {
        let fs = InMemoryFileSystem()
        var engine = try F.open(fs)
        try await engine.createDatabase("a")
        try await engine.setRetention(Self.shortLived, database: "a")
        try await engine.close()
        engine = try F.open(fs)
        #expect(engine.retention(database: "a") == Self.shortLived)
        #expect(engine.retention(database: "b") == F.hourly)
        try await engine.close()
    }

    @Test func manifestVersion3RoundTripsAndVersion2IsStillRead() throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/m")
        var manifest = Manifest()
        manifest.flushedThrough = 40
        manifest.nextSegmentNumber = 9
        manifest.databases = ["a"]
        manifest.segments = [
            Manifest.SegmentEntry(file: "0000000000000003.seg", flushedThrough: 20, minTime: 0, maxTime: 59, series: 1,
                                  rows: 60, bytes: 900, database: "a", partitionStart: 0, partitionEnd: hour),
            Manifest.SegmentEntry(file: "0000000000000008.seg", flushedThrough: 40, minTime: 5, maxTime: 6, series: 1,
                                  rows: 2, bytes: 300),
        ]
        manifest.tiers = [Manifest.TierEntry(file: "0000000000000004.tier", database: "a", tier: "rollup_1m",
                                             resolution: F.minute, partitionStart: 0, partitionEnd: hour,
                                             flushedThrough: 20, series: 1, rows: 1, bytes: 200)]
        manifest.retention = ["a": Self.shortLived]
        manifest.cuts = ["a": Manifest.RetentionCuts(raw: -hour, tiers: ["rollup_1m": -2 * hour])]
        try manifest.save(directory: "/m", fileSystem: fs)
        #expect(try Manifest.load(directory: "/m", fileSystem: fs) == manifest)

        let v2 = """
        {"version": 2, "flushedThrough": 1234, "nextSegmentNumber": 4, "databases": ["robots"],
         "segments": [{"file": "0000000000000001.seg", "flushedThrough": 600, "minTime": 1, "maxTime": 2,
                       "series": 100, "rows": 360000, "bytes": 1843200}],
         "tombstones": [{"sequence": 702, "database": "robots",
                         "series": [{"measurement": "robot", "tags": {"device_id": "robot-0002"}}]}]}
        """
        try fs.writeFileAtomically("/m/MANIFEST.json", contents: Array(v2.utf8))
        let old = try Manifest.load(directory: "/m", fileSystem: fs)
        #expect(old.version == 2 && old.segments.count == 1 && old.segments[0].partition == nil)
        #expect(old.tiers.isEmpty && old.retention.isEmpty && old.cuts.isEmpty && old.tombstones.count == 1)
    }
}
