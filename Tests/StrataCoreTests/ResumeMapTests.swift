@testable import StrataCore
import Testing

/// Resume maps (docs/format/wal.md, "Resume maps"): a flushed WAL file becomes a map whose
/// batches are rebuilt from the segments, exactly or not at all.
struct ResumeMapTests {
    static let dir = "/data"

    static func open(_ fs: any FileSystem) throws -> StorageEngine {
        var options = EngineOptions.forTests
        options.walSegmentBytes = 2_048
        return try StorageEngine.open(directory: dir, options: options, fileSystem: fs)
    }

    static func walNames(_ fs: any FileSystem) throws -> [String] {
        try fs.listDirectory(dir + "/wal").sorted()
    }

    /// Ten batches of three devices, two seconds each; one device lacks `status` in odd batches.
    static func writeBatches(_ engine: StorageEngine, from: Int = 0, count: Int = 10) async throws {
        for b in from..<(from + count) {
            var points: [Point] = []
            for device in 0..<3 {
                for s in 0..<2 {
                    var p = robotPoint(device: device, second: Int64(b * 2 + s), battery: Double(b) + Double(device) / 10)
                    if device == 2 && b % 2 == 1 { p.fields.removeAll { $0.key == "status" } }
                    points.append(p)
                }
            }
            _ = try await engine.write(WriteBatch(database: "db", points: points))
        }
    }

    /// The change feed read back from disk (a reopened engine has nothing in memory).
    static func changesFromDisk(_ fs: InMemoryFileSystem, after sequence: UInt64 = 0) async throws -> [CommittedBatch]? {
        let engine = try open(fs)
        do {
            let changes = try await engine.readChanges(after: sequence)
            try await engine.close()
            return changes
        } catch {
            try await engine.close()
            throw error
        }
    }

    static func flushAndMap(_ engine: StorageEngine) async throws -> Int {
        try await engine.flush()
        return try await engine.mapRetainedWAL()
    }

    @Test func aMappedWALGivesBackTheSameBatches() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine)
        try await engine.close()
        let logged = try #require(try await Self.changesFromDisk(fs))
        #expect(logged.count == 10)

        let reopened = try Self.open(fs)
        #expect(try await Self.flushAndMap(reopened) > 0)
        try await reopened.close()
        let names = try Self.walNames(fs)
        #expect(names.contains { $0.hasSuffix(".walmap") })
        #expect(names.filter { $0.hasSuffix(".wal") }.count == 1, "only the current log file stays: \(names)")

        let mapped = try #require(try await Self.changesFromDisk(fs))
        #expect(mapped.map(\.sequence) == logged.map(\.sequence))
        #expect(mapped.map(\.series) == logged.map(\.series))
        #expect(mapped.map(\.database) == logged.map(\.database))
        // From the middle, as a resuming subscriber asks.
        #expect(try await Self.changesFromDisk(fs, after: 4)?.map(\.sequence) == Array(5...10))
    }

    @Test func aMapIsMuchSmallerThanTheLogItReplaces() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine, count: 40)
        let logBytes = try Self.walNames(fs).reduce(0) { $0 + (try fs.readFile(Self.dir + "/wal/" + $1)).count }
        _ = try await Self.flushAndMap(engine)
        try await engine.close()
        let mapBytes = try Self.walNames(fs).filter { $0.hasSuffix(".walmap") }
            .reduce(0) { $0 + (try fs.readFile(Self.dir + "/wal/" + $1)).count }
        #expect(mapBytes > 0 && mapBytes * 3 < logBytes, "map \(mapBytes) B, log \(logBytes) B")
    }

    @Test func aBatchOverwrittenBeforeMappingStaysVerbatim() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine, count: 3)
        // Sequence 4 rewrites what sequence 2 wrote: 2 can no longer be rebuilt from data.
        _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 0, second: 2, battery: 99)]))
        let logged = try #require(try await engine.readChanges(after: 0))
        _ = try await Self.flushAndMap(engine)
        try await engine.close()
        let map = try ResumeMapCodec.decode(try fs.readFile(Self.dir + "/wal/" + Self.walNames(fs)[0]), path: "map")
        let verbatim = map.entries.filter { if case .verbatim = $0 { true } else { false } }.map(\.sequence)
        #expect(verbatim == [2])
        let mapped = try #require(try await Self.changesFromDisk(fs))
        #expect(mapped.map(\.series) == logged.map(\.series))
    }

    @Test(arguments: ["overwrite", "delete"])
    func dataChangedAfterMappingEndsTheResumeThere(_ change: String) async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine, count: 6)
        _ = try await Self.flushAndMap(engine)
        switch change {
        case "overwrite":  // sequence 7 rewrites a row of sequence 4
            _ = try await engine.write(WriteBatch(database: "db", points: [robotPoint(device: 1, second: 6, battery: 99)]))
        default:  // device 1's rows of batch 4 (seconds 6 and 7) go
            let ns = robotPoint(device: 1, second: 6, battery: 0).timestamp
            _ = try await engine.delete(database: "db", measurement: "robot",
                                        where: .equals("device_id", "robot-1"), range: ns...(ns + 1_000_000_000))
        }
        try await engine.close()
        // Batches before the changed one are still served, and the answer stops there...
        #expect(try await Self.changesFromDisk(fs, after: 0)?.map(\.sequence) == [1, 2, 3])
        // ...so a resume from there is refused rather than answered wrongly: the caller
        // replays by time, as for a position older than the WAL keeps.
        #expect(try await Self.changesFromDisk(fs, after: 3) == nil)
        // Later batches are whole.
        #expect(try await Self.changesFromDisk(fs, after: 4)?.map(\.sequence).prefix(2) == [5, 6])
    }

    @Test func aCrashBetweenTheMapAndTheLogRemovalKeepsTheMap() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine)
        try await engine.close()
        let logs = try Self.walNames(fs)
        // A copy of the first log beside its map, as if the unlink never happened.
        let keptLog = try fs.readFile(Self.dir + "/wal/" + logs[0])
        let reopened = try Self.open(fs)
        _ = try await Self.flushAndMap(reopened)
        try await reopened.close()
        let map = ResumeMapCodec.fileName(firstSequence: WALFormat.firstSequence(fromFileName: logs[0])!)
        #expect(try Self.walNames(fs).contains(map))
        try fs.writeFileAtomically(Self.dir + "/wal/" + logs[0], contents: keptLog)

        let batches = try await Self.changesFromDisk(fs)
        #expect(batches?.count == 10)
        #expect(try !Self.walNames(fs).contains(logs[0]))
        #expect(try Self.walNames(fs).contains(map))
    }

    @Test func aDamagedMapBesideItsLogGivesWayToTheLog() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine)
        try await engine.close()
        let log = try Self.walNames(fs)[0]
        let keptLog = try fs.readFile(Self.dir + "/wal/" + log)
        let reopened = try Self.open(fs)
        _ = try await Self.flushAndMap(reopened)
        try await reopened.close()
        let map = ResumeMapCodec.fileName(firstSequence: WALFormat.firstSequence(fromFileName: log)!)
        var damaged = try fs.readFile(Self.dir + "/wal/" + map)
        damaged[damaged.count - 2] ^= 0xFF
        try fs.writeFileAtomically(Self.dir + "/wal/" + map, contents: damaged)
        try fs.writeFileAtomically(Self.dir + "/wal/" + log, contents: keptLog)

        #expect(try await Self.changesFromDisk(fs)?.count == 10)
        #expect(try Self.walNames(fs).contains(log))
        #expect(try !Self.walNames(fs).contains(map))
    }

    @Test func aNewEngineWritesAfterAMapAndReplaysNothingItHolds() async throws {
        let fs = InMemoryFileSystem()
        let engine = try Self.open(fs)
        try await Self.writeBatches(engine)
        _ = try await Self.flushAndMap(engine)
        try await Self.writeBatches(engine, from: 10, count: 2)
        try await engine.close()
        let reopened = try Self.open(fs)
        #expect(reopened.replayReport.recordsReplayed == 2)
        #expect(try await reopened.scan(database: "db", measurement: "robot").map(\.count) == [24, 24, 24])
        #expect(try await reopened.readChanges(after: 0)?.map(\.sequence) == Array(1...12))
        try await reopened.close()
    }
}

/// The map file's bytes: round trips, and damage that is named, never misread.
struct ResumeMapCodecTests {
    static func series(_ measurement: String, rows: Int, nulls: Bool) -> SeriesRows {
        var s = SeriesRows(key: SeriesKey(measurement: measurement, tags: [Tag("id", measurement + "-1")]))
        s.timestamps = (0..<rows).map { Int64($0) * 1_000 + 7 }
        var f = ColumnData(type: .float), t = ColumnData(type: .string), b = ColumnData(type: .boolean)
        for r in 0..<rows {
            if nulls && r % 3 == 0 { f.appendNull() } else { f.append(.float(Double(r) / 4)) }
            t.append(.string("s\(r)"))
            b.append(.boolean(r % 2 == 0))
        }
        s.columns = ["v": f, "text": t, "ok": b]
        return s
    }

    static let sample = ResumeMap(firstSequence: 41, entries: [
        .batch(MappedBatch(sequence: 41, batch: ColumnarBatch(database: "a", series: [series("m", rows: 5, nulls: true),
                                                                                      series("n", rows: 1, nulls: false)]))),
        .verbatim(WALRecord(sequence: 42, type: .tombstone, payload: [0, 1, 2, 3])),
        .batch(MappedBatch(sequence: 43, batch: ColumnarBatch(database: "b", series: [series("m", rows: 300, nulls: false)]))),
    ])

    @Test func roundTrips() throws {
        let bytes = ResumeMapCodec.encode(Self.sample)
        #expect(try ResumeMapCodec.decode(bytes, path: "x") == Self.sample)
        let header = try ResumeMapCodec.header(bytes, path: "x")
        #expect(header.first == 41 && header.last == 43)
    }

    enum Damage: String, CaseIterable {
        case truncatedHeader, badMagic, headerBitFlip, bodyBitFlip, tornBody

        func apply(_ b: inout [UInt8]) {
            switch self {
            case .truncatedHeader: b = Array(b.prefix(20))
            case .badMagic: b[0] ^= 1
            case .headerBitFlip: b[9] ^= 1
            case .bodyBitFlip: b[b.count - 3] ^= 1
            case .tornBody: b.removeLast(5)
            }
        }

        var expected: String {
            switch self {
            case .truncatedHeader: "shorter than its 36-byte header"
            case .badMagic: "not a resume map"
            case .headerBitFlip: "header CRC mismatch"
            case .bodyBitFlip: "body CRC mismatch"
            case .tornBody: "its header says"
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func damageIsNamed(_ damage: Damage) throws {
        var bytes = ResumeMapCodec.encode(Self.sample)
        damage.apply(&bytes)
        do {
            _ = try ResumeMapCodec.decode(bytes, path: "/data/wal/x.walmap")
            Issue.record("\(damage): decoded damaged bytes")
        } catch {
            #expect("\(error)".contains(damage.expected), "\(damage): \(error)")
            #expect("\(error)".contains("/data/wal/x.walmap"))
        }
    }

    @Test func fileNamesCarryTheFirstSequence() {
        #expect(ResumeMapCodec.fileName(firstSequence: 138) == "00000000000000000138.walmap")
        #expect(ResumeMapCodec.firstSequence(fromFileName: "00000000000000000138.walmap") == 138)
        #expect(ResumeMapCodec.firstSequence(fromFileName: "00000000000000000138.wal") == nil)
        #expect(ResumeMapCodec.firstSequence(fromFileName: "00000000000000000138.walmap.tmp") == nil)
    }
}

/// Mapping reads a log file a record at a time; a file whose records stop checking out is
/// read whole after all, as replay reads it, and nothing is handed over twice.
struct ResumeMapStreamingTests {
    @Test(arguments: [false, true])
    func mappingStreamsRecordsAndFallsBackOnATornTail(tornTail: Bool) async throws {
        let fs = InMemoryFileSystem()
        let engine = try ResumeMapTests.open(fs)
        try await ResumeMapTests.writeBatches(engine)
        try await engine.close()
        let logged = try #require(try await ResumeMapTests.changesFromDisk(fs))

        let reopened = try ResumeMapTests.open(fs)
        try await reopened.flush()
        if tornTail {
            // Half a record header after the last record of the oldest log file.
            let oldest = try #require(try ResumeMapTests.walNames(fs).first { $0.hasSuffix(".wal") })
            let file = try fs.openForAppend(ResumeMapTests.dir + "/wal/" + oldest, create: false)
            try [UInt8](repeating: 7, count: 9).withUnsafeBytes { try file.append($0) }
            try file.close()
        }
        #expect(try await reopened.mapRetainedWAL() > 0)
        try await reopened.close()
        let mapped = try #require(try await ResumeMapTests.changesFromDisk(fs))
        #expect(mapped.map(\.sequence) == logged.map(\.sequence))
        #expect(mapped.map(\.series) == logged.map(\.series))
    }
}
