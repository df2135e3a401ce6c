extension StorageEngine {
    /// The rows of every series of `measurement` in `database` that satisfies `predicate`,
    /// restricted to `range` and to `fields` (nil: all), sorted by time with one row per
    /// timestamp; segments, frozen heads and the head merged, later writes winning per field.
    /// Series with no row in the range are left out. Ordered by series key.
    public func scan(database: String, measurement: String, where predicate: TagPredicate = .all,
                     fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> [SeriesRows] {
        let (selected, segments) = state.withLock { s -> ([(SeriesKey, [SeriesRows])], [SegmentReader]) in
            let ids = s.index.select(database: database, measurement: measurement, where: predicate)
            let picked = ids.map { id -> (SeriesKey, [SeriesRows]) in
                var parts: [SeriesRows] = []
                for frozen in s.frozen { if let rows = frozen.head.rows(of: id) { parts.append(rows) } }
                if let rows = s.head.rows(of: id) { parts.append(rows) }
                return (s.index.entries[Int(id)].key, parts)
            }
            return (picked, s.segments)
        }
        var out: [SeriesRows] = []
        for (key, headParts) in selected {
            var parts: [SeriesRows] = []
            for segment in segments {
                guard let s = segment.series(database: database, key: key) else { continue }
                let rows = try segment.rows(of: s, range: range, fields: fields)
                if rows.count > 0 { parts.append(rows) }
            }
            parts.append(contentsOf: headParts)
            guard !parts.isEmpty else { continue }
            let merged = SeriesRows.merged(parts, key: key, range: range, fields: fields)
            if merged.count > 0 { out.append(merged) }
        }
        return out.sorted { $0.key < $1.key }
    }

    /// Committed batches after `sequence`, oldest first: from memory while it holds them,
    /// else from the retained WAL files. Nil when `sequence` is older than the WAL retains
    /// (the caller then replays by time).
    public func changes(after sequence: UInt64, limit: Int = 1_024) throws -> [CommittedBatch]? {
        if let recent = feed.recent(after: sequence, limit: limit) { return recent }
        guard let records = try wal.records(after: sequence, limit: limit) else { return nil }
        return try records.compactMap { record in
            guard record.type == .writeBatch else { return nil }
            do {
                let batch = try WALBatchCodec.decode(record.payload)
                return CommittedBatch(sequence: record.sequence, database: batch.database, series: batch.series)
            } catch {
                throw EngineError.corruptWALRecord(sequence: record.sequence, reason: "\(error)")
            }
        }
    }

    /// Returns once a batch above `sequence` is committed.
    public func waitForChanges(after sequence: UInt64) async {
        await feed.wait(after: sequence)
    }

    /// Measurements of a database, sorted.
    public func measurements(database: String) -> [String] {
        state.withLock { $0.index.measurements(database: database) }
    }

    /// Field names and types of a measurement.
    public func fieldTypes(database: String, measurement: String) -> [String: FieldType] {
        state.withLock { $0.fieldTypes[database]?[measurement] ?? [:] }
    }

    /// The segments, for `strata inspect`.
    public func segmentReaders() -> [SegmentReader] {
        state.withLock { $0.segments }
    }
}
