import Testing
@testable import StrataCore

/// Compaction rewrites flushed segments into one compacted segment per (database,
/// partition) without changing what a scan returns.
@Suite struct CompactionTests {
    typealias F = CompactionFixture

    /// Seeded writes (overwrites, late points), bounded deletes and dropped series in two
    /// databases, with flushes between.
    static func randomSteps(_ engine: StorageEngine, _ rng: inout SplitMix64, steps: Int, base: Int64 = 0) async throws {
        for _ in 0..<steps {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                let db = Bool.random(using: &rng) ? "a" : "b"
                let batch = F.randomBatch(&rng, db: db, hours: 4, base: base, points: Int.random(in: 1...60, using: &rng))
                let result = try await engine.write(batch)
                #expect(result.rejected.isEmpty)
            case 6..<8:
                let lo = base + Int64.random(in: 0..<(4 * F.hour), using: &rng)
                let range: ClosedRange<Int64>? = Int.random(in: 0..<5, using: &rng) == 0 ? nil
                    : lo...(lo + Int64.random(in: 0..<F.hour, using: &rng))
                _ = try await engine.delete(database: Bool.random(using: &rng) ? "a" : "b", measurement: "m",
                                            where: .isIn("dev", ["d\(Int.random(in: 0..<4, using: &rng))"]), range: range)
            default:
                try await engine.flush()
            }
        }
        try await engine.flush()
    }

    /// Every compacted segment holds one database's rows of its partition only, and no
    /// partition has two.
    static func checkLevels(_ engine: StorageEngine, _ context: String) {
        let (level0, level1) = F.levels(engine)
        #expect(level0 == 0, "\(context)")
        #expect(Set(level1).count == level1.count, "\(context): a partition has two compacted segments")
        for segment in engine.state.withLock({ $0.segments }) {
            guard let key = segment.partition else { continue }
            for series in segment.reader.series {
                #expect(series.database == key.database, "\(context)")
                #expect(series.rowBlocks.allSatisfy { $0.minTime >= key.start && $0.maxTime < key.end }, "\(context) \(key)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func compactedScansEqualScansBeforeAcrossTwoCompactionsAndAReopen(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let fs = InMemoryFileSystem()
        var engine = try F.open(fs)
        try await engine.createDatabase("a")
        try await Self.randomSteps(engine, &rng, steps: 40)
        let before = try F.contents(engine)
        #expect(F.rowCount(before) > 0)
        let report = try await engine.compact()
        #expect(try F.contents(engine) == before)
        Self.checkLevels(engine, "seed \(seed) first")
        // Nothing double-stored: the compacted rows are exactly the rows a scan sees.
        #expect(F.storedRows(engine) == F.rowCount(before))
        #expect(report.rowsWritten == F.rowCount(before))
        #expect(report.partitionsWritten == F.levels(engine).level1.count)
        #expect(report.segmentsMerged > 0)

        // Later writes land in the same partitions (late points) and in new ones.
        try await Self.randomSteps(engine, &rng, steps: 30, base: 2 * F.hour)
        let middle = try F.contents(engine)
        _ = try await engine.compact()
        #expect(try F.contents(engine) == middle)
        Self.checkLevels(engine, "seed \(seed) second")
        #expect(F.storedRows(engine) == F.rowCount(middle))

        try await engine.close()
        engine = try F.open(fs)
        #expect(try F.contents(engine) == middle)
        Self.checkLevels(engine, "seed \(seed) reopened")
        // Only the named files are left: the replaced ones were removed.
        let named = engine.state.withLock { s in Set(s.manifest.segments.map(\.file) + s.manifest.tiers.map(\.file)) }
        #expect(Set(try fs.listDirectory(F.dir + "/segments")) == named)
        try await engine.close()
    }

    @Test func flushesDuringACompactionAreKeptAndStayNewer() async throws {
        var rng = SplitMix64(seed: 11)
        let engine = try F.open(InMemoryFileSystem())
        try await Self.randomSteps(engine, &rng, steps: 30)
        async let compacted = engine.compact()
        for _ in 0..<3 {
            _ = try await engine.write(F.randomBatch(&rng, db: "a", hours: 4, points: 40))
            try await engine.flush()
        }
        _ = try await compacted
        let expected = try F.contents(engine)
        // Compacted segments first, each older than every flushed one left.
        let (segments, entries) = engine.state.withLock { ($0.segments, $0.manifest.segments) }
        #expect(segments.map { FilePath.name(of: $0.reader.path) } == entries.map(\.file))
        let firstFlushed = segments.firstIndex { $0.partition == nil } ?? segments.count
        #expect(segments[firstFlushed...].allSatisfy { $0.partition == nil })
        let newestCompacted = segments[..<firstFlushed].map(\.flushedThrough).max() ?? 0
        #expect(segments[firstFlushed...].allSatisfy { $0.flushedThrough > newestCompacted })
        _ = try await engine.compact()
        #expect(try F.contents(engine) == expected)
        Self.checkLevels(engine, "after the second compaction")
        try await engine.close()
    }

    @Test func aDeleteAfterCompactionMasksTheCompactedSegmentAndItsTiers() async throws {
        let engine = try F.open(InMemoryFileSystem())
        let points = (0..<120).map { i in
            Point(measurement: "m", tags: [Tag("dev", "d0")], fields: [Field("x", .float(Double(i)))], timestamp: Int64(i) * F.minute)
        }
        _ = try await engine.write(WriteBatch(database: "a", points: points))
        try await engine.flush()
        _ = try await engine.compact()
        _ = try await engine.delete(database: "a", measurement: "m", where: .all, range: 0...(30 * F.minute - 1))
        let rows = try await engine.scan(database: "a", measurement: "m")
        #expect(rows.first?.timestamps.first == 30 * F.minute)
        #expect(engine.state.withLock { $0.tombstones.all.count } == 1)
        // The next compaction rewrites the masked partition without the deleted rows.
        try await engine.flush()
        let report = try await engine.compact()
        #expect(report.partitionsWritten == 1 && report.rowsDropped == 30)
        await #expect(try engine.scan(database: "a", measurement: "m").first?.count == 90)
        #expect(F.storedRows(engine) == 90)
        try await engine.close()
    }

    @Test func partitionsListCompactedAndUncompactedData() async throws {
        let engine = try F.open(InMemoryFileSystem())
        let point = { (t: Int64) in Point(measurement: "m", tags: [Tag("dev", "d0")], fields: [Field("x", .float(1))], timestamp: t) }
        _ = try await engine.write(WriteBatch(database: "a", points: [point(10), point(F.hour + 10)]))
        try await engine.flush()
        var infos = engine.partitions(database: "a")
        #expect(infos.map(\.partition.start) == [0, F.hour])
        #expect(infos.allSatisfy { $0.rawFile == nil && $0.uncompactedSegments == 1 })
        _ = try await engine.compact()
        _ = try await engine.write(WriteBatch(database: "a", points: [point(F.hour + 20)]))
        try await engine.flush()
        infos = engine.partitions(database: "a")
        #expect(infos.map(\.partition.start) == [0, F.hour])
        #expect(infos.map(\.rawRows) == [1, 1])
        #expect(infos.map(\.uncompactedSegments) == [0, 1])
        #expect(infos.allSatisfy { $0.rawFile != nil && $0.tiers.map(\.name) == ["rollup_1m"] })
        #expect(engine.partitions(database: "b").isEmpty)
        let stats = engine.stats()
        #expect(stats.partitions == 2 && stats.tierFiles == 2 && stats.compactions == 1 && !stats.compacting)
        #expect(stats.compactionBytesWritten > 0)
        let text = DataDirectoryReport(engine: engine).render()
        #expect(text.contains("database a: raw kept forever, shard duration 1h, tiers: rollup_1m (1m buckets, kept forever)"))
        #expect(text.contains("1970-01-01T01:00:00Z  1970-01-01T02:00:00Z  raw 1 rows"))
        #expect(text.contains("uncompacted 1"))
        try await engine.close()
    }

    @Test func changedTiersAreBuiltOrDroppedAtTheNextCompaction() async throws {
        let engine = try F.open(InMemoryFileSystem())
        try await engine.createDatabase("a")
        let points = (0..<4).map { h in
            Point(measurement: "m", tags: [], fields: [Field("x", .float(1))], timestamp: Int64(h) * F.hour)
        }
        _ = try await engine.write(WriteBatch(database: "a", points: points))
        try await engine.flush()
        _ = try await engine.compact()
        var retention = F.hourly
        retention.tiers.append(RollupTier(name: "rollup_1h", resolution: F.hour, duration: nil))
        try await engine.setRetention(retention, database: "a")
        var report = try await engine.compact()
        #expect(report.partitionsWritten == 4 && report.tierFilesWritten == 8)
        #expect(engine.partitions(database: "a").allSatisfy { $0.tiers.map(\.name) == ["rollup_1m", "rollup_1h"] })
        retention.tiers.removeFirst()
        try await engine.setRetention(retention, database: "a")
        report = try await engine.compact()
        #expect(report.tierFilesExpired == 4 && report.partitionsWritten == 0)
        #expect(engine.partitions(database: "a").allSatisfy { $0.tiers.map(\.name) == ["rollup_1h"] })
        #expect(engine.state.withLock { $0.manifest.tiers.count } == 4)
        try await engine.close()
    }

    @Test func enoughFlushedSegmentsStartABackgroundCompaction() async throws {
        var options = F.options()
        options.backgroundCompaction = true
        options.compactionTriggerSegments = 2
        // Threads of its own at normal priority: the shared compaction thread is niced and
        // serves every test of the process, so under the whole suite's load it could start
        // this compaction only after tens of seconds.
        let threads = EngineThreads(
            flush: BlockingWorkPool(threads: 1, name: "bg-compact-flush"),
            compaction: BlockingWorkPool(threads: 1, name: "bg-compact"),
            io: BlockingWorkPool(threads: 1, name: "bg-compact-io"),
            scan: BlockingWorkPool(threads: 1, name: "bg-compact-scan"))
        defer { threads.shutdown() }
        options.threads = threads
        let engine = try F.open(InMemoryFileSystem(), options: options)
        var rng = SplitMix64(seed: 5)
        for _ in 0..<2 {
            _ = try await engine.write(F.randomBatch(&rng, db: "a", hours: 2, points: 30))
            try await engine.flush()
        }
        let expected = try F.contents(engine)
        // Bounded wait for the background task (no timing is asserted).
        for _ in 0..<2_400 where F.levels(engine).level0 > 0 || engine.stats().compactions == 0 {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(F.levels(engine).level0 == 0)
        #expect(try F.contents(engine) == expected)
        try await engine.close()
    }
}
