// See docs/format/wal.md, "Resume maps", and docs/architecture.md, "Resuming from maps".

extension StorageEngine {
    /// Decoded batches one resume holds at once. 64 MiB: what the windowed query paths
    /// take (docs/limits.md); a 64 MiB WAL file is ~3× that in columns.
    static let resumeBatchBytes = 64 << 20
    /// Decoded batches one mapping step holds (and as much again read from the segments,
    /// and again rebuilt). 4 MiB: mapping runs beside ingest and queries, in the background;
    /// on the month benchmark, mapping sixteen 64 MiB files in 64 MiB steps peaked at 804
    /// MiB RSS, and on the shared benchmark 16 MiB steps still added ~60 MiB to the settle.
    /// The price: a step covers ~7 minutes of 100 robots' ten fields, so an hour's segment
    /// block is decoded ~9 times (~0.4 s of one core for the benchmark's 21.6 M values).
    static let mappingBatchBytes = 4 << 20

    /// Replaces every flushed, retained WAL log file with a resume map, then returns how
    /// many it replaced. A batch the segments do not give back byte for byte (overwritten
    /// since, written twice within itself, deleted) stays verbatim in the map. Blocks the
    /// calling thread: reads the log, scans segments, writes and syncs the map.
    @available(*, noasync)
    public func mapFlushedWAL() throws -> Int {
        guard options.resumeMaps else { return 0 }
        let flushed = state.withLock { $0.manifest.flushedThrough }
        var replaced = 0
        for info in wal.flushedLogFiles(flushedThrough: flushed) {
            let entries = try mapEntries { body in try wal.forEachRecord(of: info, body) }
            guard let first = entries.first?.sequence else { continue }
            if try wal.replace(info, with: ResumeMap(firstSequence: first, entries: entries)) { replaced += 1 }
        }
        return replaced
    }

    /// `mapFlushedWAL` on the compaction thread (it decodes and scans like a compaction).
    public func mapRetainedWAL() async throws -> Int {
        try await threads.compaction.run { [self] in try mapFlushedWAL() }
    }

    /// Starts mapping in the background after a flush; one run at a time, awaited by `close`.
    /// Background work like compaction, and off with it (tests map by hand).
    func scheduleWALMapping() {
        guard options.resumeMaps, options.backgroundCompaction else { return }
        walMapping.withLock { running in
            let previous = running
            running = Task { [self] in
                await previous?.value
                guard !state.withLock({ $0.closing }) else { return }
                do { _ = try await mapRetainedWAL() } catch {
                    logger.error("replacing flushed WAL files with resume maps failed; they stay as they are",
                                 metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// The entries of the records `eachRecord` hands over, in order; only the current
    /// group's records are held (and those kept verbatim).
    private func mapEntries(_ eachRecord: ((WALRecord) throws -> Void) throws -> Void) throws -> [ResumeMap.Entry] {
        var entries: [ResumeMap.Entry] = []
        var group: [(record: WALRecord, batch: MappedBatch)] = []
        var groupBytes = 0
        func finishGroup() throws {
            let rebuilt = try rebuild(group.map(\.batch))
            for (i, item) in group.enumerated() {
                entries.append(rebuilt[i] == nil ? .verbatim(item.record) : .batch(item.batch))
            }
            group = []
            groupBytes = 0
        }
        try eachRecord { record in
            guard record.type == .writeBatch else {
                try finishGroup()
                entries.append(.verbatim(record))
                return
            }
            let batch: ColumnarBatch
            do { batch = try WALBatchCodec.decode(record.payload) } catch {
                throw EngineError.corruptWALRecord(sequence: record.sequence, reason: "\(error)")
            }
            let mapped = MappedBatch(sequence: record.sequence, batch: batch)
            group.append((record, mapped))
            groupBytes += ResumeMap.Entry.batch(mapped).decodedBytes
            if groupBytes >= Self.mappingBatchBytes { try finishGroup() }
        }
        try finishGroup()
        return entries
    }

    /// The batches `mapped` describe, rebuilt from what the engine holds now, each checked
    /// against its logged checksum; nil where the data no longer gives it back exactly.
    func rebuild(_ mapped: [MappedBatch]) throws -> [CommittedBatch?] {
        guard !mapped.isEmpty else { return [] }
        let stamps = try mapped.map { batch in
            try batch.series.map { series in
                do { return try series.timestamps() } catch {
                    throw EngineError.corruptWALRecord(sequence: batch.sequence, reason: "resume map timestamps: \(error)")
                }
            }
        }
        var spans: [String: [SeriesKey: ClosedRange<Int64>]] = [:]
        for (b, batch) in mapped.enumerated() {
            for (s, series) in batch.series.enumerated() {
                guard let lo = stamps[b][s].min(), let hi = stamps[b][s].max() else { continue }
                let old = spans[batch.database]?[series.key]
                spans[batch.database, default: [:]][series.key] = min(lo, old?.lowerBound ?? lo)...max(hi, old?.upperBound ?? hi)
            }
        }
        var current: [SeriesRef: SeriesRows] = [:]
        for (database, keys) in spans {
            let lo = keys.values.map(\.lowerBound).min()!, hi = keys.values.map(\.upperBound).max()!
            for rows in try rows(database: database, keys: Array(keys.keys), range: lo...hi) {
                current[SeriesRef(database: database, key: rows.key)] = rows
            }
        }
        return mapped.enumerated().map { b, batch in
            var series: [SeriesRows] = []
            series.reserveCapacity(batch.series.count)
            for (s, mappedSeries) in batch.series.enumerated() {
                guard let now = current[SeriesRef(database: batch.database, key: mappedSeries.key)],
                      let rows = Self.rebuild(mappedSeries, timestamps: stamps[b][s], from: now) else { return nil }
                series.append(rows)
            }
            let rebuilt = ColumnarBatch(database: batch.database, series: series)
            guard CRC32C.checksum(WALBatchCodec.plainPayload(rebuilt)) == batch.checksum else { return nil }
            return CommittedBatch(sequence: batch.sequence, database: batch.database, series: series)
        }
    }

    /// One series of a batch, its values taken from `now` (sorted, one row per timestamp);
    /// nil where a row, a field or a value is missing or of another type.
    static func rebuild(_ mapped: MappedSeries, timestamps: [Int64], from now: SeriesRows) -> SeriesRows? {
        var indices: [Int] = []
        indices.reserveCapacity(timestamps.count)
        var hint = 0
        for t in timestamps {
            // Rows usually come in time order: try the row after the last one first.
            if hint < now.timestamps.count, now.timestamps[hint] == t {
                indices.append(hint)
            } else {
                guard let i = binarySearch(now.timestamps, t) else { return nil }
                indices.append(i)
                hint = i
            }
            hint += 1
        }
        var out = SeriesRows(key: mapped.key)
        out.timestamps = timestamps
        for (f, field) in mapped.fields.enumerated() {
            guard let column = now.columns[field.name], column.type == field.type else { return nil }
            var rebuilt = ColumnData(type: field.type)
            rebuilt.reserveCapacity(indices.count)
            for (r, i) in indices.enumerated() {
                if mapped.presence?[f][r] ?? true {
                    guard column.valid[i] else { return nil }
                    rebuilt.append(contentsOf: column, range: i..<(i + 1))
                } else {
                    rebuilt.appendNull()
                }
            }
            out.columns[field.name] = rebuilt
        }
        return out
    }

    private static func binarySearch(_ sorted: [Int64], _ value: Int64) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value ? lo : nil
    }
}
