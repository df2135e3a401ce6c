import Testing
@testable import StrataCore
import StrataTestSupport

/// Fields per series: a caller limited to some series (a token bound to one device) sees
/// only the fields those series have, wherever the engine learnt of them (writes, WAL
/// replay, segments, compacted segments, tier files), and nothing of dropped series.
@Suite struct SeriesFieldsTests {
    static let base: Int64 = 1_704_067_200_000_000_000
    static let a = TagPredicate.equals("device_id", "a")
    static let b = TagPredicate.equals("device_id", "b")
    static let aFields: [String: FieldType] = ["battery": .float, "status": .integer]
    static let bFields: [String: FieldType] = ["battery": .float, "lidar": .string, "temp": .float]

    static func open(_ fs: any FileSystem, options: EngineOptions = .forTests) throws -> StorageEngine {
        try StorageEngine.open(directory: "/data", options: options, fileSystem: fs)
    }

    /// Device a writes battery and status, device b battery, lidar and temp, to one measurement.
    static func writeTwoDevices(_ engine: StorageEngine, database: String = "db", seconds: Range<Int64> = 0..<5) async throws {
        var points: [Point] = []
        for s in seconds {
            let t = base + s * 1_000_000_000
            points.append(Point(measurement: "robot", tags: [Tag("device_id", "a")],
                                fields: [Field("battery", .float(1)), Field("status", .integer(2))], timestamp: t))
            points.append(Point(measurement: "robot", tags: [Tag("device_id", "b")],
                                fields: [Field("battery", .float(3)), Field("lidar", .string("ok")), Field("temp", .float(20))],
                                timestamp: t))
        }
        let result = try await engine.write(WriteBatch(database: database, points: points))
        #expect(result.accepted == points.count)
    }

    static func expectPerDevice(_ engine: StorageEngine, _ when: String) {
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: a) == aFields, "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: b) == bFields, "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: .isIn("device_id", ["a", "b"]))
            == aFields.merging(bFields) { x, _ in x }, "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: .equals("device_id", "z")) == [:], "\(when)")
        // Without posting lists (every series is checked), and negated.
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: .matches("device_id") { $0 == "b" }) == bFields,
                "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: .not(b)) == aFields, "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "other", where: a) == [:], "\(when)")
        #expect(engine.fieldTypes(database: "nope", measurement: "robot", where: a) == [:], "\(when)")
        let all = engine.fieldTypes(database: "db", measurement: "robot")
        #expect(all == aFields.merging(bFields) { x, _ in x }, "\(when)")
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: .all) == all, "\(when)")
    }

    @Test func eachDeviceSeesOnlyItsFieldsFromTheHeadSegmentsAndAfterReopen() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeTwoDevices(engine)
        Self.expectPerDevice(engine, "head")
        try await engine.flush()
        Self.expectPerDevice(engine, "flushed")
        try await engine.close()
        // Everything in a segment, nothing left in the WAL to replay.
        let reopened = try Self.open(fs)
        #expect(reopened.replayReport.recordsReplayed == 0)
        Self.expectPerDevice(reopened, "reopened from segments")
        try await reopened.close()
    }

    @Test func fieldsComeBackFromTheWALAlone() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeTwoDevices(engine)
        fs.crash()
        let reopened = try Self.open(fs)
        #expect(reopened.replayReport.recordsReplayed == 1)
        #expect(reopened.state.withLock { $0.segments.isEmpty })
        Self.expectPerDevice(reopened, "replayed")
        try await reopened.close()
    }

    @Test func fieldsSurviveCompactionAndReopenAfterIt() async throws {
        let fs = InMemoryFileSystem()
        let options = CompactionFixture.options()
        let engine = try Self.open(fs, options: options)
        try await Self.writeTwoDevices(engine, seconds: 0..<5)
        try await engine.flush()
        try await Self.writeTwoDevices(engine, seconds: 3_600..<3_605)
        try await engine.flush()
        let report = try await engine.compact()
        #expect(report.partitionsWritten == 2)
        #expect(CompactionFixture.levels(engine).level0 == 0)
        Self.expectPerDevice(engine, "compacted")
        try await engine.close()
        let reopened = try Self.open(fs, options: options)
        Self.expectPerDevice(reopened, "reopened from compacted segments")
        try await reopened.close()
    }

    /// Where raw data expired, a tier file is all that names a series: its `min` columns
    /// give the (numeric) fields; strings are not rolled up, so they are gone.
    @Test func tierFilesAloneGiveTheirSeriesTheirNumericFields() async throws {
        let hour = CompactionFixture.hour
        let clock = ManualClock(2 * hour)
        let retention = DatabaseRetention(
            rawDuration: 2 * hour, partitionDuration: hour,
            tiers: [RollupTier(name: "rollup_1m", resolution: CompactionFixture.minute, duration: 24 * hour)])
        let options = CompactionFixture.options(retention: retention, now: clock)
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs, options: options)
        var points: [Point] = []
        for m in Int64(0)..<90 {
            let t = m * CompactionFixture.minute
            points.append(Point(measurement: "robot", tags: [Tag("device_id", "a")],
                                fields: [Field("battery", .float(1)), Field("note", .string("x"))], timestamp: t))
            points.append(Point(measurement: "robot", tags: [Tag("device_id", "b")], fields: [Field("temp", .float(2))],
                                timestamp: t))
        }
        #expect(try await engine.write(WriteBatch(database: "db", points: points)).accepted == points.count)
        try await engine.flush()
        _ = try await engine.compact()
        clock.set(5 * hour)
        let report = try await engine.applyRetention()
        #expect(report.partitionsExpired == 2)
        #expect(engine.partitions(database: "db").allSatisfy { $0.rawFile == nil && $0.tiers.count == 1 })
        // The running engine keeps what it saw written.
        #expect(engine.fieldTypes(database: "db", measurement: "robot", where: Self.a) == ["battery": .float, "note": .string])
        try await engine.close()
        let reopened = try Self.open(fs, options: options)
        #expect(reopened.fieldTypes(database: "db", measurement: "robot", where: Self.a) == ["battery": .float])
        #expect(reopened.fieldTypes(database: "db", measurement: "robot", where: Self.b) == ["temp": .float])
        #expect(reopened.fieldTypes(database: "db", measurement: "robot") == ["battery": .float, "temp": .float])
        try await reopened.close()
    }

    @Test func hasSeriesAnswersPerDatabaseAcrossMeasurements() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        try await Self.writeTwoDevices(engine)
        // Database "others": device b only, in a second measurement too.
        _ = try await engine.write(WriteBatch(database: "others", points: [
            Point(measurement: "robot", tags: [Tag("device_id", "b")], fields: [Field("temp", .float(1))], timestamp: Self.base),
            Point(measurement: "arm", tags: [Tag("device_id", "c"), Tag("site", "x")], fields: [Field("angle", .float(1))],
                  timestamp: Self.base),
        ]))
        #expect(engine.hasSeries(database: "db", where: Self.a))
        #expect(engine.hasSeries(database: "db", where: Self.b))
        #expect(!engine.hasSeries(database: "db", where: .equals("device_id", "c")))
        #expect(engine.hasSeries(database: "db", where: .all))
        #expect(!engine.hasSeries(database: "others", where: Self.a), "only other devices write there")
        #expect(engine.hasSeries(database: "others", where: Self.b))
        // Found in the second measurement; a conjunction and a membership use postings.
        #expect(engine.hasSeries(database: "others", where: .and([.equals("device_id", "c"), .equals("site", "x")])))
        #expect(!engine.hasSeries(database: "others", where: .and([.equals("device_id", "b"), .equals("site", "x")])))
        #expect(engine.hasSeries(database: "others", where: .isIn("device_id", ["a", "c"])))
        #expect(!engine.hasSeries(database: "others", where: .isIn("device_id", ["a", "z"])))
        #expect(engine.hasSeries(database: "others", where: .matches("device_id") { $0.hasPrefix("c") }))
        #expect(!engine.hasSeries(database: "others", where: .matches("device_id") { $0.hasPrefix("a") }))
        #expect(!engine.hasSeries(database: "nope", where: .all))
        // A missing tag is the empty value, as InfluxQL has it.
        #expect(engine.hasSeries(database: "others", where: .equals("site", "")))
        try await engine.close()
    }

    @Test func aDroppedSeriesShowsNoFieldsAndWrittenAgainOnlyItsNewOnes() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeTwoDevices(engine)
        try await engine.flush()
        _ = try await engine.dropSeries(database: "db", measurement: "robot", where: Self.a)
        func expectDropped(_ e: StorageEngine, _ when: String) {
            #expect(e.fieldTypes(database: "db", measurement: "robot", where: Self.a) == [:], "\(when)")
            #expect(e.fieldTypes(database: "db", measurement: "robot", where: .isIn("device_id", ["a", "b"])) == Self.bFields,
                    "\(when)")
            #expect(!e.hasSeries(database: "db", where: Self.a), "\(when)")
            #expect(e.hasSeries(database: "db", where: Self.b), "\(when)")
            // The per-measurement map keeps the dropped field's type while any series is live.
            #expect(e.fieldTypes(database: "db", measurement: "robot", where: .all) == Self.aFields.merging(Self.bFields) { x, _ in x },
                    "\(when)")
        }
        expectDropped(engine, "dropped")
        try await engine.close()
        var reopened = try Self.open(fs)
        expectDropped(reopened, "dropped, reopened")

        // Written again with one field: only that one shows, before and after a reopen.
        _ = try await reopened.write(WriteBatch(database: "db", points: [
            Point(measurement: "robot", tags: [Tag("device_id", "a")], fields: [Field("battery", .float(9))],
                  timestamp: Self.base + 100_000_000_000),
        ]))
        #expect(reopened.fieldTypes(database: "db", measurement: "robot", where: Self.a) == ["battery": .float])
        #expect(reopened.hasSeries(database: "db", where: Self.a))
        try await reopened.close()
        reopened = try Self.open(fs)
        #expect(reopened.fieldTypes(database: "db", measurement: "robot", where: Self.a) == ["battery": .float], "from the WAL")
        try await reopened.flush()
        try await reopened.close()
        reopened = try Self.open(fs)
        #expect(reopened.fieldTypes(database: "db", measurement: "robot", where: Self.a) == ["battery": .float], "from segments")
        try await reopened.close()
    }

    /// Ordinals past 64 live outside the series' inline word.
    @Test func measurementsWithMoreThan64FieldsKeepSeriesApart() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        let wide = (0..<130).map { Field("f\($0)", .integer(Int64($0))) }
        _ = try await engine.write(WriteBatch(database: "db", points: [
            Point(measurement: "wide", tags: [Tag("device_id", "w1")], fields: wide, timestamp: Self.base),
        ]))
        // The wide point fixes ordinals 0..<130 in field order; w2 has one low, one middle and one high.
        _ = try await engine.write(WriteBatch(database: "db", points: [
            Point(measurement: "wide", tags: [Tag("device_id", "w2")],
                  fields: [Field("f3", .integer(0)), Field("f64", .integer(0)), Field("f129", .integer(0))], timestamp: Self.base),
            Point(measurement: "wide", tags: [Tag("device_id", "w3")], fields: [Field("f100", .integer(0))], timestamp: Self.base),
        ]))
        let all = Dictionary(uniqueKeysWithValues: wide.map { ($0.key, FieldType.integer) })
        func check(_ e: StorageEngine, _ when: String) {
            #expect(e.fieldTypes(database: "db", measurement: "wide", where: .equals("device_id", "w1")) == all, "\(when)")
            #expect(e.fieldTypes(database: "db", measurement: "wide", where: .equals("device_id", "w2"))
                == ["f3": .integer, "f64": .integer, "f129": .integer], "\(when)")
            #expect(e.fieldTypes(database: "db", measurement: "wide", where: .equals("device_id", "w3")) == ["f100": .integer],
                    "\(when)")
            #expect(e.fieldTypes(database: "db", measurement: "wide", where: .isIn("device_id", ["w2", "w3"]))
                == ["f3": .integer, "f64": .integer, "f100": .integer, "f129": .integer], "\(when)")
        }
        check(engine, "head")
        try await engine.flush()
        try await engine.close()
        // Reopened from a segment, ordinals are given in the segment's order, not the write's.
        let reopened = try Self.open(fs)
        check(reopened, "reopened")
        _ = try await reopened.dropSeries(database: "db", measurement: "wide", where: .equals("device_id", "w2"))
        #expect(reopened.fieldTypes(database: "db", measurement: "wide", where: .equals("device_id", "w2")) == [:])
        _ = try await reopened.write(WriteBatch(database: "db", points: [
            Point(measurement: "wide", tags: [Tag("device_id", "w2")], fields: [Field("f1", .integer(0))], timestamp: Self.base),
        ]))
        #expect(reopened.fieldTypes(database: "db", measurement: "wide", where: .equals("device_id", "w2")) == ["f1": .integer],
                "a revived series' high words were cleared too")
        try await reopened.close()
    }
}
