import Testing
@testable import StrataCore

@Suite struct DeleteTests {
    static let base: Int64 = 1_704_067_200_000_000_000
    static func second(_ s: Int64) -> Int64 { base + s * 1_000_000_000 }

    static func open(_ fs: any FileSystem) throws -> StorageEngine {
        try StorageEngine.open(directory: "/data", options: .forTests, fileSystem: fs)
    }

    static func write(_ engine: StorageEngine, devices: Range<Int>, seconds: Range<Int64>, battery: Double = 1) async throws {
        var points: [Point] = []
        for d in devices { for s in seconds { points.append(robotPoint(device: d, second: s, battery: battery + Double(s))) } }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
    }

    /// device → its timestamps, as seconds.
    static func seconds(_ engine: StorageEngine) throws -> [String: [Int64]] {
        var out: [String: [Int64]] = [:]
        for rows in try engine.scan(database: "db", measurement: "robot") {
            out[rows.key.tagValue("device_id")!] = rows.timestamps.map { ($0 - base) / 1_000_000_000 }
        }
        return out
    }

    @Test func aTagSelectedSubsetLosesItsPointsInTheRange() async throws {
        let engine = try Self.open(InMemoryFileSystem())
        try await Self.write(engine, devices: 0..<4, seconds: 0..<20)
        let before = engine.stats().lastSequence
        let sequence = try await engine.delete(database: "db", measurement: "robot", where: .equals("fleet", "north"),
                                               range: Self.second(5)...Self.second(9))
        #expect(sequence == before + 1)
        let kept = Array(0..<5) + Array(10..<20) as [Int64]
        #expect(try Self.seconds(engine) == ["robot-0": kept, "robot-1": Array(0..<20), "robot-2": kept, "robot-3": Array(0..<20)])
        // Nothing matches: nothing logged.
        let none = try await engine.delete(database: "db", measurement: "robot", where: .equals("fleet", "east"), range: nil)
        #expect(none == sequence)
        #expect(engine.seriesKeys(database: "db", measurement: "robot").count == 4, "a bounded delete keeps the series")
    }

    @Test func pointsWrittenAgainAfterADeleteAreVisible() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<2, seconds: 0..<10, battery: 100)
        try await engine.flush()
        _ = try await engine.delete(database: "db", measurement: nil, where: .all, range: Self.second(2)...Self.second(7))
        try await Self.write(engine, devices: 0..<1, seconds: 4..<6, battery: 500)
        func check(_ e: StorageEngine) throws {
            #expect(try Self.seconds(e) == ["robot-0": [0, 1, 4, 5, 8, 9], "robot-1": [0, 1, 8, 9]])
            let rows = try e.scan(database: "db", measurement: "robot", where: .equals("device_id", "robot-0"))[0]
            #expect(rows.columns["battery"]!.value(at: 2) == .float(504))
        }
        try check(engine)
        try await engine.flush()
        try check(engine)
        try await engine.close()
        let reopened = try Self.open(fs)
        try check(reopened)
        // Deleting again and flushing keeps only the newest state, also after a crash.
        _ = try await reopened.delete(database: "db", measurement: "robot", where: .all, range: Self.second(0)...Self.second(0))
        try await reopened.flush()
        fs.crash()
        let again = try Self.open(fs)
        #expect(try Self.seconds(again) == ["robot-0": [1, 4, 5, 8, 9], "robot-1": [1, 8, 9]])
    }

    @Test func aDeleteReachesSegmentsFrozenHeadsAndTheHead() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<2, seconds: 0..<10)
        try await engine.flush()  // segment: 0..<10
        try await Self.write(engine, devices: 0..<2, seconds: 10..<20)
        fs.fail("rename")
        await #expect(throws: FileSystemError.self) { try await engine.flush() }  // frozen: 10..<20
        fs.heal()
        try await Self.write(engine, devices: 0..<2, seconds: 20..<30)  // head
        _ = try await engine.delete(database: "db", measurement: "robot", where: .equals("device_id", "robot-1"),
                                    range: Self.second(5)...Self.second(24))
        let expected = ["robot-0": Array(0..<30), "robot-1": Array(0..<5) + Array(25..<30)] as [String: [Int64]]
        #expect(try Self.seconds(engine) == expected)
        try await engine.flush()
        #expect(try Self.seconds(engine) == expected)
        try await engine.close()
        #expect(try Self.seconds(Self.open(fs)) == expected)
    }

    @Test func aDeleteNotSyncedIsNotAcknowledgedAndIsGoneAfterACrash() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<2, seconds: 0..<10)
        try await engine.flush()
        try await Self.write(engine, devices: 0..<2, seconds: 10..<20)
        fs.fail("fdatasync")
        await #expect(throws: (any Error).self) {
            _ = try await engine.delete(database: "db", measurement: "robot", where: .all, range: Self.second(5)...Self.second(15))
        }
        #expect(try Self.seconds(engine)["robot-0"]?.count == 20, "not applied: not acknowledged")
        fs.heal()
        fs.crash()
        let reopened = try Self.open(fs)
        #expect(try Self.seconds(reopened) == ["robot-0": Array(0..<20), "robot-1": Array(0..<20)])
    }

    @Test func anAcknowledgedDeleteSurvivesACrashBeforeAndAfterItsFlush() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<2, seconds: 0..<10)
        try await engine.flush()
        try await Self.write(engine, devices: 0..<2, seconds: 10..<20)
        _ = try await engine.delete(database: "db", measurement: "robot", where: .all, range: Self.second(5)...Self.second(15))
        let expected = ["robot-0": Array(0..<5) + Array(16..<20), "robot-1": Array(0..<5) + Array(16..<20)] as [String: [Int64]]
        fs.crash()  // the tombstone is only in the WAL
        let reopened = try Self.open(fs)
        #expect(try Self.seconds(reopened) == expected)
        try await reopened.flush()  // now in the manifest; its WAL file is flushed
        #expect(try fs.readFile("/data/MANIFEST.json").count > 0)
        fs.crash()
        let again = try Self.open(fs)
        #expect(try Self.seconds(again) == expected)
        // With the WAL gone entirely (retention), the manifest alone still masks the segment.
        try await again.close()
        for name in try fs.listDirectory("/data/wal") { try fs.remove("/data/wal/" + name) }
        #expect(try Self.seconds(Self.open(fs)) == expected)
    }

    @Test func droppedSeriesLeaveTheIndexAndComeBackWhenWritten() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<4, seconds: 0..<5)
        _ = try await engine.write(WriteBatch(database: "db", points: [
            Point(measurement: "other", tags: [Tag("fleet", "north")], fields: [Field("v", .integer(1))], timestamp: 0)]))
        try await engine.flush()
        try await Self.write(engine, devices: 0..<4, seconds: 5..<10)
        _ = try await engine.dropSeries(database: "db", measurement: nil, where: .equals("fleet", "north"))
        func check(_ e: StorageEngine) throws {
            #expect(e.measurements(database: "db") == ["robot"])
            #expect(e.fieldTypes(database: "db", measurement: "other") == [:])
            #expect(e.tagValues(database: "db", measurement: "robot", key: "fleet") == ["south"])
            #expect(e.tagValues(database: "db", measurement: "robot", key: "device_id") == ["robot-1", "robot-3"])
            #expect(e.seriesKeys(database: "db", measurement: "robot").map { $0.tagValue("device_id")! } == ["robot-1", "robot-3"])
            #expect(e.seriesKeys(database: "db", measurement: "other").isEmpty)
            #expect(try Self.seconds(e).keys.sorted() == ["robot-1", "robot-3"])
            #expect(e.stats().seriesCount == 2)
        }
        try check(engine)
        fs.crash()
        let reopened = try Self.open(fs)
        try check(reopened)
        try await reopened.flush()
        try await reopened.close()
        let again = try Self.open(fs)
        try check(again)
        // Written again: back, with only the new points.
        try await Self.write(again, devices: 0..<1, seconds: 7..<8)
        #expect(again.tagValues(database: "db", measurement: "robot", key: "device_id") == ["robot-0", "robot-1", "robot-3"])
        #expect(try Self.seconds(again)["robot-0"] == [7])
        try await again.flush()
        try await again.close()
        #expect(try Self.seconds(Self.open(fs))["robot-0"] == [7])
    }

    @Test func aDeleteDuringAFlushNeitherResurrectsNorLosesPoints() async throws {
        for round in 0..<5 {
            let fs = InMemoryFileSystem()
            let engine = try Self.open(fs)
            try await Self.write(engine, devices: 0..<20, seconds: 0..<200)
            async let flushing: Void = engine.flush()
            _ = try await engine.delete(database: "db", measurement: "robot", where: .all, range: Self.second(50)...Self.second(99))
            try await Self.write(engine, devices: 0..<20, seconds: 60..<61)  // after the delete: stays
            try await flushing
            try await engine.flush()
            let expected = Array(0..<50) + [60] + Array(100..<200) as [Int64]
            for (device, seconds) in try Self.seconds(engine) { #expect(seconds == expected, "round \(round) \(device)") }
            try await engine.close()
            for (device, seconds) in try Self.seconds(Self.open(fs)) { #expect(seconds == expected, "round \(round) \(device)") }
        }
    }

    @Test func theChangeFeedSkipsTombstones() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.write(engine, devices: 0..<1, seconds: 0..<1)
        let deleted = try await engine.delete(database: "db", measurement: "robot", where: .all, range: nil)
        try await Self.write(engine, devices: 0..<1, seconds: 1..<2)
        #expect(try await engine.readChanges(after: 0)?.map(\.sequence) == [1, 3])
        #expect(deleted == 2)
        try await engine.close()
        let reopened = try Self.open(fs)  // the feed's memory is empty: read from the WAL
        #expect(try await reopened.readChanges(after: 0)?.map(\.sequence) == [1, 3])
    }

    @Test func tombstonePayloadsRoundTripAndRejectDamage() throws {
        let t = Tombstone(sequence: 9, database: "db", keys: [SeriesKey(measurement: "m", tags: [Tag("a", "1"), Tag("b", "x y")]),
                                                              SeriesKey(measurement: "n", tags: [])], range: -5...7)
        let bytes = WALTombstoneCodec.encode(t)
        #expect(try WALTombstoneCodec.decode(bytes, sequence: 9) == t)
        var all = t
        all.range = nil
        #expect(try WALTombstoneCodec.decode(WALTombstoneCodec.encode(all), sequence: 9) == all)
        #expect(throws: BinaryReaderError.self) { try WALTombstoneCodec.decode(bytes + [0], sequence: 9) }
        #expect(throws: BinaryReaderError.self) { try WALTombstoneCodec.decode(Array(bytes.dropLast()), sequence: 9) }
        var badFlags = bytes
        badFlags[4] = 0x82  // layout, "db" (1 + 2 bytes), then flags
        #expect(throws: BinaryReaderError.self) { try WALTombstoneCodec.decode(badFlags, sequence: 9) }
    }

    @Test func aVersion1ManifestWithoutTombstonesStillOpens() async throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/data")
        let v1 = #"{"version": 1, "flushedThrough": 0, "nextSegmentNumber": 1, "databases": ["db"], "segments": []}"#
        try fs.writeFileAtomically("/data/MANIFEST.json", contents: Array(v1.utf8))
        let engine = try Self.open(fs)
        #expect(engine.databaseNames() == ["db"])
    }
}
