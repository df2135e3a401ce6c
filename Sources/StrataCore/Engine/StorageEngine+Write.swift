extension StorageEngine {
    /// Validates field types, logs the accepted points durably, applies them to the head and
    /// publishes them on the change feed. Returns once they are durable; points that conflict
    /// with a field's established type are refused one by one, the rest are written.
    public func write(_ batch: WriteBatch) async throws -> WriteResult {
        try Self.validateDatabaseName(batch.database)
        try await waitForHeadRoom()
        let (accepted, refusedPoints) = try state.withLock { s throws in
            guard !s.closed else { throw EngineError.closed }
            let retention = s.manifest.retention[batch.database] ?? options.defaultRetention
            let oldest = retention.oldestWritable(now: options.clock.now(), rawCut: s.manifest.cuts[batch.database]?.raw)
            let limit = oldest.map { RetentionLimit(database: batch.database, oldest: $0, raw: retention.rawDuration) }
            return FieldTypeValidator.validate(batch, registeringIn: &s, retention: limit)
        }
        guard !accepted.isEmpty else { return WriteResult(sequence: nil, accepted: 0, rejected: refusedPoints) }
        // Grouping, transposing and encoding run here, on the caller's task, in parallel
        // with other requests; the WAL thread only appends whole columns.
        let columnar = ColumnarBatch(WriteBatch(database: batch.database, points: accepted))
        return try await commit(columnar, accepted: accepted.count, rejected: refusedPoints) { refused in
            Self.indexes(of: refused, in: batch, skipping: refusedPoints)
        }
    }

    /// Admits the batch's series (cardinality limits), logs what is admitted durably and
    /// applies it. `accepted` and `rejected` count and name what validation decided;
    /// `rowsOf` gives the identifiers (point indexes, line numbers) of the rows of refused series.
    func commit(
        _ batch: ColumnarBatch, accepted: Int, rejected refusedBefore: [PointRejection],
        rowsOf: (Set<SeriesKey>) -> [Int]
    ) async throws -> WriteResult {
        var columnar = batch
        var rejected = refusedBefore
        var acceptedCount = accepted
        let admission = state.withLock { s in SeriesAdmission.check(columnar, in: &s, options: options) }
        // The reservation covers the time until the batch's series are in the index: it is
        // released under the same lock that applies the batch, or here if it never is.
        let reserved = SeriesReservation(admission.reserved)
        defer {
            let left = reserved.take()
            if left > 0 { state.withLock { $0.reservedSeries[batch.database, default: 0] -= left } }
        }
        if let reason = admission.reason {
            columnar.series.removeAll { admission.refused.contains($0.key) }
            let dropped = rowsOf(admission.refused)
            rejected = (rejected + dropped.map { PointRejection(index: $0, reason: reason) }).sorted { $0.index < $1.index }
            acceptedCount -= dropped.count
            guard !columnar.series.isEmpty else { return WriteResult(sequence: nil, accepted: 0, rejected: rejected) }
        }
        let payload = WALBatchCodec.encode(columnar)
        let applied = columnar
        let sequence = try await wal.append(type: .writeBatch, payload: payload) { [self] sequence in
            apply(applied, sequence: sequence, releasing: reserved)
        }
        maybeStartFlush()
        return WriteResult(sequence: sequence, accepted: acceptedCount, rejected: rejected)
    }

    /// Bytes the head and the frozen heads being flushed hold (`cache-max-memory-size`).
    var headBytesHeld: Int {
        state.withLock { s in s.frozen.reduce(s.head.bytes) { $0 + $1.head.bytes } }
    }

    /// Returns at once while the head is under `maxHeadBytes`; otherwise starts a flush and
    /// waits for one to make room, up to `headFullWaitSeconds`, then throws `headFull`.
    /// Polls every 20 ms: a flush takes seconds, and a waiting write holds no thread.
    func waitForHeadRoom() async throws {
        let limit = options.maxHeadBytes
        guard limit > 0, headBytesHeld >= limit else { return }
        let deadline = ContinuousClock.now + .milliseconds(Int64(options.headFullWaitSeconds * 1_000))
        while true {
            let held = headBytesHeld
            guard held >= limit else { return }
            maybeStartFlush()
            guard ContinuousClock.now < deadline else { throw EngineError.headFull(bytes: held, limit: limit) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Indexes in `batch` of the points of series `keys`, among those not already rejected.
    static func indexes(of keys: Set<SeriesKey>, in batch: WriteBatch, skipping rejected: [PointRejection]) -> [Int] {
        let skip = Set(rejected.map(\.index))
        return batch.points.indices.filter { i in
            let p = batch.points[i]
            return !skip.contains(i) && keys.contains(SeriesKey(measurement: p.measurement, tags: p.tags))
        }
    }

    /// Runs on the WAL's queue once the record is durable, in sequence order.
    func apply(_ batch: ColumnarBatch, sequence: UInt64, releasing reserved: SeriesReservation) {
        let now = options.clock.seconds()
        let release = reserved.take()
        let valueBytes = state.withLock { s in
            if release > 0 { s.reservedSeries[batch.database, default: 0] -= release }
            return s.apply(batch, sequence: sequence, now: now)
        }
        feed.publish(CommittedBatch(sequence: sequence, database: batch.database, series: batch.series),
                     valueBytes: valueBytes)
    }
}

extension EngineState {
    /// Returns the batch's value bytes as the head counts them.
    @discardableResult
    mutating func apply(_ batch: ColumnarBatch, sequence: UInt64, now: Double) -> Int {
        appliedSequence = max(appliedSequence, sequence)
        if !manifest.databases.contains(batch.database) {
            // A database named by a write (v2 buckets, import) exists from then on; its name
            // reaches the manifest file at the next save, and replay restores it before that.
            manifest.databases.append(batch.database)
            manifest.databases.sort()
        }
        var valueBytes = 0
        for chunk in batch.series {
            let id = index.idOrInsert(database: batch.database, key: chunk.key)
            let appended = head.append(seriesID: id, chunk: chunk, sequence: sequence, now: now)
            // The index learns a series' fields when the head first sees them: each head
            // starts empty, so every field of every series written since the last flush
            // passes here once (ten name lookups saved per series and write). WAL replay
            // comes through here too (after `registerReplayed` dropped columns that
            // contradict a type), so replayed series get their fields as well.
            if appended.newFields { index.recordFields(id, chunk.columns.keys) }
            valueBytes += appended.bytes
        }
        return valueBytes
    }

    /// Registers the field types a replayed batch carries; a column that contradicts an
    /// established type (impossible for records this engine validated) is dropped, since a
    /// column holds one type. Returns the names dropped.
    mutating func registerReplayed(_ batch: inout ColumnarBatch) -> [String] {
        var dropped: [String] = []
        for i in batch.series.indices {
            let measurement = batch.series[i].key.measurement
            for (name, column) in batch.series[i].columns {
                if let known = fieldTypes[batch.database]?[measurement]?[name] {
                    if known != column.type {
                        batch.series[i].columns[name] = nil
                        dropped.append(name)
                    }
                } else {
                    fieldTypes[batch.database, default: [:]][measurement, default: [:]][name] = column.type
                }
            }
        }
        return dropped
    }
}

/// Field types per measurement: the first type written for a field is its type (InfluxDB's
/// rule); a point that gives a field another type is refused whole, naming field and types.
enum FieldTypeValidator {
    /// Splits a batch into accepted points and rejections, registering the types of new
    /// fields as it goes (before the WAL write, so two concurrent batches cannot establish
    /// two types for one field).
    static func validate(_ batch: WriteBatch, registeringIn s: inout EngineState,
                         retention: RetentionLimit? = nil) -> ([Point], [PointRejection]) {
        var accepted: [Point] = []
        accepted.reserveCapacity(batch.points.count)
        var rejected: [PointRejection] = []
        // Consecutive points of one measurement usually carry the same fields in the same
        // order: once such a shape has been checked, the next point needs no lookups.
        var lastMeasurement = ""
        var lastShape: [Field] = []
        for (index, point) in batch.points.enumerated() {
            if let retention, point.timestamp < retention.oldest {
                rejected.append(PointRejection(index: index, reason: retention.reason(point.timestamp)))
                continue
            }
            if point.measurement == lastMeasurement && sameShape(point.fields, lastShape) {
                accepted.append(point)
                continue
            }
            if let reason = conflict(point, known: s.fieldTypes[batch.database]?[point.measurement] ?? [:]) {
                rejected.append(PointRejection(index: index, reason: reason))
                continue
            }
            s.registerFieldTypes(database: batch.database, measurement: point.measurement, fields: point.fields)
            accepted.append(point)
            lastMeasurement = point.measurement
            lastShape = point.fields
        }
        return (accepted, rejected)
    }

    private static func sameShape(_ a: [Field], _ b: [Field]) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.indices where a[i].key != b[i].key || a[i].value.type != b[i].value.type { return false }
        return true
    }

    private static func conflict(_ point: Point, known: [String: FieldType]) -> String? {
        for field in point.fields {
            if let existing = known[field.key], existing != field.value.type {
                return "field type conflict: input field \"\(field.key)\" on measurement \"\(point.measurement)\" "
                    + "is type \(field.value.type), already exists as type \(existing)"
            }
        }
        return nil
    }
}

/// The oldest time a database accepts: raw data older than its retention would be dropped
/// at once, so it is refused (InfluxDB drops it as "points beyond retention policy").
struct RetentionLimit {
    var database: String
    var oldest: Int64
    /// Nil when only an earlier cut (a shorter retention set before) limits writes.
    var raw: Int64?

    func reason(_ time: Int64) -> String {
        let kept = raw.map { "keeps raw data for \(DurationText.format($0, .influxQL))" } ?? "has dropped raw data before \(RFC3339.format(oldest))"
        return "point beyond retention policy: time \(RFC3339.format(time)) is older than database \"\(database)\" "
            + "accepts (it \(kept); the oldest time accepted now is \(RFC3339.format(oldest)))"
    }
}
