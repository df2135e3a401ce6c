// See docs/format/wal.md ("Tombstone payload") and docs/format/manifest.md ("tombstones").

extension StorageEngine {
    /// Removes the points of matching series in `range` (all time when nil) as one durable
    /// step: acknowledged only after its WAL record is synced. Returns the WAL sequence (the
    /// last durable sequence when no series matches: there is nothing to log).
    ///
    /// The predicate is resolved to concrete series now; the tombstone record carries them,
    /// ordered with writes by the WAL. Points written after the delete (to the same series
    /// and times) stay. A delete over all time also drops the series from the index, as
    /// `dropSeries` does. `measurement` nil: every measurement of the database.
    public func delete(database: String, measurement: String?, where predicate: TagPredicate,
                       range: ClosedRange<Int64>?) async throws -> UInt64 {
        try Self.validateDatabaseName(database)
        let range = range == Int64.min...Int64.max ? nil : range
        let keys = try state.withLock { s throws -> [SeriesKey] in
            guard !s.closed else { throw EngineError.closed }
            let measurements = measurement.map { [$0] } ?? s.index.measurements(database: database)
            return measurements.flatMap { m in
                s.index.select(database: database, measurement: m, where: predicate).map { s.index.entries[Int($0)].key }
            }
        }
        guard !keys.isEmpty else { return wal.lastSequence }
        let payload = WALTombstoneCodec.encode(Tombstone(sequence: 0, database: database, keys: keys, range: range))
        guard payload.count <= WALFormat.maxPayloadSize else {
            throw EngineError.deleteTooLarge(series: keys.count)
        }
        return try await wal.append(type: .tombstone, payload: payload) { [self] sequence in
            let now = options.clock.seconds()
            state.withLock { s in
                s.apply(Tombstone(sequence: sequence, database: database, keys: keys, range: range), now: now)
            }
        }
    }

    /// DROP SERIES: all points and the index entries of matching series.
    public func dropSeries(database: String, measurement: String?, where predicate: TagPredicate) async throws -> UInt64 {
        try await delete(database: database, measurement: measurement, where: predicate, range: nil)
    }
}

extension EngineState {
    /// Applies a durable delete (on the WAL queue in sequence order, or at replay): the rows
    /// go from the head and the frozen heads at once; segment rows written before it are
    /// masked by keeping the tombstone, which the next manifest save persists. Series left
    /// without rows (over all time, always) leave the index, as InfluxDB drops a series
    /// that a DELETE emptied.
    mutating func apply(_ t: Tombstone, now: Double) {
        var t = t
        if t.dropsStore {
            // A write that landed between the drop's snapshot of the series and its record
            // goes too: the store is dropped whole, and the tombstone kept for the files
            // names every series it had (replay rebuilds the same set before it).
            let listed = Set(t.keys)
            t.keys += seriesKeys(store: t.database).filter { !listed.contains($0) }
        }
        head.note(sequence: t.sequence, now: now)
        appliedSequence = max(appliedSequence, t.sequence)
        let interval = t.interval
        var emptied: [(UInt32, SeriesKey)] = []
        for key in t.keys {
            guard let id = index.id(database: t.database, key: key) else { continue }
            head.removeRows(of: id, in: interval)
            for i in frozen.indices { frozen[i].head.removeRows(of: id, in: interval) }
            if t.range == nil { index.remove(id) } else { emptied.append((id, key)) }
        }
        if t.dropsStore { forget(store: t.database) }
        // A frozen head being written right now still holds the rows; its segment will be
        // flushed through a sequence below this one, so the tombstone masks it.
        if !t.keys.isEmpty, !segments.isEmpty || !frozen.isEmpty || !tiers.isEmpty { tombstones.add(t) }
        for (id, key) in emptied where !holdsRows(id, database: t.database, key: key) { index.remove(id) }
    }

    /// Whether rows of the series may remain: in a head, or in a file block that the
    /// tombstones masking the file do not cover whole. Blocks are judged by their time
    /// span (`SegmentSeries.holdsUnmaskedRows`), the same test that opening applies.
    func holdsRows(_ id: UInt32, database: String, key: SeriesKey) -> Bool {
        if head.rows(of: id)?.timestamps.isEmpty == false { return true }
        if frozen.contains(where: { $0.head.rows(of: id)?.timestamps.isEmpty == false }) { return true }
        let masks = tombstones.masks(database: database, key: key)
        func holds(_ reader: SegmentReader, _ flushedThrough: UInt64) -> Bool {
            reader.series(database: database, key: key)?
                .holdsUnmaskedRows(masks.ranges(maskingSegmentFlushedThrough: flushedThrough)) == true
        }
        return segments.contains { holds($0.reader, $0.flushedThrough) } || tiers.contains { holds($0.reader, $0.flushedThrough) }
    }

    /// Every series of `store` in the index.
    func seriesKeys(store: String) -> [SeriesKey] {
        index.measurements(database: store).flatMap { m in
            index.select(database: store, measurement: m, where: .all).map { index.entries[Int($0)].key }
        }
    }

    /// Removes a dropped store from the in-memory manifest: its name, retention, cuts and
    /// policy entry. The next manifest save persists it; replay of the drop record repeats it.
    mutating func forget(store: String) {
        manifest.databases.removeAll { $0 == store }
        manifest.retention[store] = nil
        manifest.cuts[store] = nil
        if let (database, policy) = RetentionPolicies.split(store: store) {
            manifest.policies[database]?.remove(policy)
        } else {
            manifest.policies[store] = nil
        }
    }
}
