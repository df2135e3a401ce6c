import Dispatch

extension StorageEngine {
    /// The rows of every series of `measurement` in `database` that satisfies `predicate`,
    /// restricted to `range` and to `fields` (nil: all), sorted by time with one row per
    /// timestamp; segments, frozen heads and the head merged, later writes winning per field,
    /// deleted rows left out. Series with no row in the range are left out. Ordered by
    /// series key. The same as concatenating the rows of `scanChunks` summarizing nothing.
    @available(*, noasync)
    public func scan(database: String, measurement: String, where predicate: TagPredicate = .all,
                     fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> [SeriesRows] {
        var statistics = ScanStatistics()
        return try scan(database: database, measurement: measurement, where: predicate, fields: fields, range: range,
                        statistics: &statistics)
    }

    /// `scan`, adding what it did to `statistics`.
    @available(*, noasync)
    public func scan(database: String, measurement: String, where predicate: TagPredicate = .all,
                     fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max,
                     statistics: inout ScanStatistics) throws -> [SeriesRows] {
        try scanChunks(database: database, measurement: measurement, where: predicate, fields: fields, range: range,
                       canSummarize: { _, _ in false }, tiers: false, statistics: &statistics).map { series in
            let parts = series.chunks.map { chunk -> SeriesRows in
                guard case .rows(let rows) = chunk else { preconditionFailure("a scan summarizes nothing") }
                return rows
            }
            return SeriesRows.concatenated(parts, key: series.key)
        }
    }

    /// Chunks of each matching series, time-ordered and non-overlapping, series ordered by
    /// key; series with nothing in `range` are left out.
    ///
    /// A segment row block becomes a `.summary` only if it lies wholly inside `range`, no
    /// other data of the series (another segment's blocks, head or frozen-head rows, a
    /// tombstone) overlaps its time span, every requested integer or unsigned field has its
    /// sum, and `canSummarize(minTime, maxTime)` says yes (the query layer uses it to require
    /// a block to fall inside one GROUP BY bucket). Everything else is decoded (only the
    /// requested fields, only blocks overlapping `range`) and merged as `scan` merges it.
    ///
    /// With `tiers`, a compacted partition's rows that `canSummarize` refuses as a whole
    /// block may come as the buckets of one of its rollup tiers instead (docs/retention.md,
    /// "Reading tiers"): each bucket a `.summary` spanning the bucket, offered to
    /// `canSummarize` as (bucket start, bucket end - 1). Where raw data has expired, tier
    /// buckets are the only data. `tiers: false` reads raw data only (a diagnostic).
    @available(*, noasync)
    ///
    /// With `summaries`, consecutive summaries of a series in one of its buckets come merged
    /// into one, and tier summaries carry only its `parts` (`SummaryRequest`).
    public func scanChunks(database: String, measurement: String, where predicate: TagPredicate = .all,
                           fields: Set<String>? = nil, range: ClosedRange<Int64>,
                           canSummarize: (Int64, Int64) -> Bool = { _, _ in true }, tiers: Bool = true,
                           summaries: SummaryRequest? = nil,
                           statistics: inout ScanStatistics, stop: ScanStop? = nil) throws -> [SeriesChunks] {
        var sequence: UInt64 = 0
        return try scanChunks(database: database, measurement: measurement, where: predicate, fields: fields,
                              range: range, canSummarize: canSummarize, tiers: tiers, summaries: summaries,
                              statistics: &statistics, sequence: &sequence, stop: stop)
    }

    /// `scan`, and the WAL sequence the rows reflect: every committed write at or below it
    /// is in them, none above. A subscriber replays these rows, then follows
    /// `changes(after: sequence)` with no gap and no duplicate.
    @available(*, noasync)
    public func snapshotScan(database: String, measurement: String, where predicate: TagPredicate = .all,
                             fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws -> (series: [SeriesRows], sequence: UInt64) {
        var statistics = ScanStatistics()
        var sequence: UInt64 = 0
        let chunks = try scanChunks(database: database, measurement: measurement, where: predicate, fields: fields,
                                    range: range, canSummarize: { _, _ in false }, tiers: false,
                                    statistics: &statistics, sequence: &sequence)
        let series = chunks.map { series in
            let parts = series.chunks.map { chunk -> SeriesRows in
                guard case .rows(let rows) = chunk else { preconditionFailure("a snapshot scan summarizes nothing") }
                return rows
            }
            return SeriesRows.concatenated(parts, key: series.key)
        }
        return (series, sequence)
    }

    /// The last WAL sequence reads reflect (see `snapshotScan`).
    public var appliedSequence: UInt64 { state.withLock { $0.appliedSequence } }

    func scanChunks(database: String, measurement: String, where predicate: TagPredicate,
                    fields: Set<String>?, range: ClosedRange<Int64>, canSummarize: (Int64, Int64) -> Bool,
                    tiers: Bool, summaries: SummaryRequest? = nil, statistics: inout ScanStatistics,
                    sequence: inout UInt64, stop: ScanStop? = nil) throws -> [SeriesChunks] {
        try scanChunks(database: database, measurement: measurement,
                       select: { $0.select(database: database, measurement: measurement, where: predicate) },
                       fields: fields, range: range, canSummarize: canSummarize, tiers: tiers, summaries: summaries,
                       statistics: &statistics, sequence: &sequence, stop: stop)
    }

    /// The rows of the series `keys` of `database` (any measurement) in `range`, merged as
    /// `scan` merges them; series with nothing there are left out. Raw data only.
    func rows(database: String, keys: [SeriesKey], range: ClosedRange<Int64>) throws -> [SeriesRows] {
        var statistics = ScanStatistics()
        var sequence: UInt64 = 0
        let chunks = try scanChunks(database: database, measurement: "",
                                    select: { index in keys.compactMap { index.id(database: database, key: $0) } },
                                    fields: nil, range: range, canSummarize: { _, _ in false }, tiers: false,
                                    statistics: &statistics, sequence: &sequence, stop: nil)
        return chunks.map { series in
            SeriesRows.concatenated(series.chunks.map { chunk in
                guard case .rows(let rows) = chunk else { preconditionFailure("a raw scan summarizes nothing") }
                return rows
            }, key: series.key)
        }
    }

    private func scanChunks(database: String, measurement: String, select: (SeriesIndex) -> [UInt32],
                            fields: Set<String>?, range: ClosedRange<Int64>, canSummarize: (Int64, Int64) -> Bool,
                            tiers: Bool, summaries: SummaryRequest? = nil, statistics: inout ScanStatistics,
                            sequence: inout UInt64, stop: ScanStop?) throws -> [SeriesChunks] {
        let (selected, segments, applied, shared) = state.withLock { s -> ([SelectedSeries], [LiveSegment], UInt64, TierShared) in
            let ids = select(s.index)
            let picked = ids.map { id -> SelectedSeries in
                // Copied out as they are (arrays shared); sealed rows are decoded off the lock.
                var parts: [HeadSeries] = []
                for frozen in s.frozen { if let rows = frozen.head.series[id] { parts.append(rows) } }
                if let rows = s.head.series[id] { parts.append(rows) }
                let key = s.index.entries[Int(id)].key
                return SelectedSeries(key: key, headParts: parts, masks: s.tombstones.masks(database: database, key: key))
            }
            // Copies only (the arrays are shared, not duplicated): filtering and sorting the
            // tier files happen below, outside the lock that applies commits.
            let shared = TierShared(cuts: s.manifest.cuts[database], files: tiers ? s.tiers : [],
                                    fieldTypes: tiers ? s.fieldTypes[database]?[measurement] ?? [:] : [:])
            return (picked, s.segments, s.appliedSequence, shared)
        }
        let context = tierContext(shared, database: database)
        sequence = applied
        statistics.seriesTouched += selected.count
        let chunkers = selected.map {
            SeriesChunker(database: database, key: $0.key, fields: fields, range: range, tiers: context, summaries: summaries)
        }
        // Decoding and merging run on every core, a series per task. `canSummarize` (the
        // caller's, not Sendable) is asked on this thread while planning; with a
        // `SummaryRequest` its buckets decide instead, and planning runs in the tasks too
        // (serial planning was a third of an hourly mean over a month on two cores).
        try stop?.check()
        let prepare: @Sendable (Int, inout ScanStatistics) -> SeriesChunker.Prepared = { i, stats in
            let head = selected[i].headParts.map { $0.rows(overlapping: range, fields: fields) }
            return chunkers[i].prepare(segments: segments, headParts: head, masks: selected[i].masks, statistics: &stats)
        }
        let executed: [(Result<[ScanChunk], any Error>, ScanStatistics)]
        if let summaries {
            executed = concurrentMap(selected.count) { i in
                var stats = ScanStatistics()
                let result = Result {
                    try stop?.check()
                    let plan = chunkers[i].plan(prepare(i, &stats), canSummarize: summaries.sameBucket, statistics: &stats)
                    return try chunkers[i].execute(plan, statistics: &stats)
                }
                return (result, stats)
            }
        } else {
            let prepared = concurrentMap(selected.count) { i in
                var stats = ScanStatistics()
                let p = prepare(i, &stats)
                return (p, stats)
            }
            let plans = prepared.enumerated().map { i, prepared in
                statistics.add(prepared.1)
                return chunkers[i].plan(prepared.0, canSummarize: canSummarize, statistics: &statistics)
            }
            executed = concurrentMap(selected.count) { i in
                var stats = ScanStatistics()
                // Checked per series: a cancelled query stops decoding within one series' work.
                let result = Result {
                    try stop?.check()
                    return try chunkers[i].execute(plans[i], statistics: &stats)
                }
                return (result, stats)
            }
        }
        let results = executed.map { result, stats in
            statistics.add(stats)
            return result
        }
        var out: [(name: String, series: SeriesChunks)] = []
        for (i, result) in results.enumerated() {
            let chunks = try result.get()
            guard !chunks.isEmpty else { continue }
            for case .rows(let rows) in chunks { statistics.rowsReturned += rows.count }
            out.append((selected[i].key.description, SeriesChunks(key: selected[i].key, chunks: chunks)))
        }
        // Series keys order by their line-protocol form: build it once per series.
        out.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return out.map(\.series)
    }

    /// The database's retention cuts (which bound every read) and, when the scan reads tiers,
    /// its tier files coarsest first and the measurement's field types.
    func tierContext(_ shared: TierShared, database: String) -> TierContext {
        TierContext(files: shared.files.filter { $0.partition.database == database }.sorted { $0.resolution > $1.resolution },
                    rawCut: shared.cuts?.raw, tierCuts: shared.cuts?.tiers ?? [:], fieldTypes: shared.fieldTypes,
                    minRowsPerBucket: options.tierMinRowsPerBucket)
    }

    /// Committed batches after `sequence`, oldest first: from memory while it holds them,
    /// else from the retained WAL files. Nil when `sequence` is older than the WAL retains
    /// (the caller then replays by time). Deletes (tombstone records) are not batches and
    /// are skipped: a subscriber sees their sequence numbers missing.
    ///
    /// Reading the WAL blocks the calling thread (whole files read and checked): async
    /// callers use `readChanges`, which does that on the engine's I/O thread.
    @available(*, noasync)
    public func changes(after sequence: UInt64, limit: Int = 1_024) throws -> [CommittedBatch]? {
        if let recent = feed.recent(after: sequence, limit: limit) { return recent }
        return try changesFromWAL(after: sequence, limit: limit)
    }

    /// `changes(after:limit:)` for async callers: from memory at once while it holds the
    /// batches, else read from the retained WAL files on the engine's I/O thread
    /// (`EngineThreads.io`), so a subscriber resuming from far back never holds a thread of
    /// the cooperative pool.
    public func readChanges(after sequence: UInt64, limit: Int = 1_024) async throws -> [CommittedBatch]? {
        if let recent = feed.recent(after: sequence, limit: limit) { return recent }
        return try await threads.io.run { [self] in try changesFromWAL(after: sequence, limit: limit) }
    }

    /// Logged batches are decoded; mapped ones rebuilt from the segments (docs/format/wal.md,
    /// "Resume maps"). A mapped batch the data no longer gives back exactly ends the answer
    /// there: nil if it is the first, so the caller replays by time as for a position
    /// older than the WAL retains.
    private func changesFromWAL(after sequence: UInt64, limit: Int) throws -> [CommittedBatch]? {
        guard let entries = try wal.retained(after: sequence, limit: limit, byteBudget: Self.resumeBatchBytes) else {
            return nil
        }
        let rebuilt = try rebuild(entries.compactMap { entry in
            if case .batch(let batch) = entry { batch } else { nil }
        })
        var next = rebuilt.makeIterator()
        var out: [CommittedBatch] = []
        for entry in entries {
            switch entry {
            case .verbatim(let record):
                guard record.type == .writeBatch else { continue }
                do {
                    let batch = try WALBatchCodec.decode(record.payload)
                    out.append(CommittedBatch(sequence: record.sequence, database: batch.database, series: batch.series))
                } catch {
                    throw EngineError.corruptWALRecord(sequence: record.sequence, reason: "\(error)")
                }
            case .batch:
                guard let batch = next.next()! else { return out.isEmpty ? nil : out }
                out.append(batch)
            }
        }
        return out
    }

    /// `body(0..<n)` in order, computed in parallel when there is more than one: on the
    /// calling thread and the engine's scan helpers (`EngineThreads.scan`). Not
    /// `DispatchQueue.concurrentPerform`: on Linux its helpers are threads of the cooperative
    /// pool, so a scan running on a query thread still took the threads that serve requests.
    func concurrentMap<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard n > 1 else { return (0..<n).map(body) }
        var slots = [T?](repeating: nil, count: n)
        slots.withUnsafeMutableBufferPointer { buffer in
            // Each iteration writes its own slot only.
            let out = UnsafeSlots(buffer: buffer)
            threads.scan.forEach(n) { i in out.buffer[i] = body(i) }
        }
        return slots.map { $0! }
    }

    /// Returns once a batch above `sequence` is committed.
    public func waitForChanges(after sequence: UInt64) async {
        await feed.wait(after: sequence)
    }

    /// The segments, for `strata inspect`.
    public func segmentReaders() -> [SegmentReader] {
        state.withLock { $0.segments.map(\.reader) }
    }
}

/// Lets `concurrentPerform` iterations share a buffer (each writes its own slot) or a
/// closure that outlives none of them.
private struct UnsafeSlots<B>: @unchecked Sendable {
    let buffer: B
}

/// What a scan copies from under the engine lock to build its `TierContext`.
struct TierShared: Sendable {
    var cuts: Manifest.RetentionCuts?
    /// Every tier file, or none when the scan reads raw data only.
    var files: [LiveTier]
    var fieldTypes: [String: FieldType]
}

/// A series picked for a scan, with what the engine lock guards copied out.
struct SelectedSeries: Sendable {
    var key: SeriesKey
    var headParts: [HeadSeries]
    var masks: [TombstoneSet.Mask]
}
