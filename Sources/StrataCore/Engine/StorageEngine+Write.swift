extension StorageEngine {
    /// Validates field types, logs the accepted points durably, applies them to the head and
    /// publishes them on the change feed. Returns once they are durable; points that conflict
    /// with a field's established type are refused one by one, the rest are written.
    public func write(_ batch: WriteBatch) async throws -> WriteResult {
        try Self.validateDatabaseName(batch.database)
        let (accepted, rejected) = try state.withLock { s throws in
            guard !s.closed else { throw EngineError.closed }
            return FieldTypeValidator.validate(batch, registeringIn: &s)
        }
        guard !accepted.isEmpty else { return WriteResult(sequence: nil, accepted: 0, rejected: rejected) }
        let toWrite = accepted.count == batch.points.count ? batch : WriteBatch(database: batch.database, points: accepted)
        // Encoding and grouping by series run here, on the caller's task, in parallel with
        // other requests; only the appends run on the WAL's single thread.
        let payload = WALBatchCodec.encode(toWrite)
        let prepared = PreparedBatch(toWrite)
        let sequence = try await wal.append(type: .writeBatch, payload: payload) { [self] sequence in
            apply(prepared, sequence: sequence)
        }
        maybeStartFlush()
        return WriteResult(sequence: sequence, accepted: accepted.count, rejected: rejected)
    }

    /// Runs on the WAL's queue once the record is durable, in sequence order.
    func apply(_ prepared: PreparedBatch, sequence: UInt64) {
        let now = WriteAheadLog.now()
        state.withLock { s in s.apply(prepared, sequence: sequence, now: now) }
        feed.publish(CommittedBatch(sequence: sequence, batch: prepared.batch))
    }
}

extension EngineState {
    mutating func apply(_ prepared: PreparedBatch, sequence: UInt64, now: Double) {
        let database = prepared.batch.database
        if !manifest.databases.contains(database) {
            // A database named by a write (v2 buckets, import) exists from then on; its name
            // reaches the manifest file at the next save, and replay restores it before that.
            manifest.databases.append(database)
            manifest.databases.sort()
        }
        for group in prepared.groups {
            let id = index.idOrInsert(database: database, key: group.key)
            head.append(seriesID: id, key: group.key, points: prepared.batch.points, indices: group.indices,
                        sequence: sequence, now: now)
        }
    }
}

/// A batch with its points grouped by series, so applying it costs one index lookup per
/// series rather than per point.
struct PreparedBatch: Sendable {
    struct Group: Sendable {
        var key: SeriesKey
        var indices: [Int]
    }

    let batch: WriteBatch
    let groups: [Group]

    init(_ batch: WriteBatch) {
        self.batch = batch
        var position: [SeriesKey: Int] = [:]
        var groups: [Group] = []
        for (i, point) in batch.points.enumerated() {
            let key = point.seriesKey
            if let g = position[key] {
                groups[g].indices.append(i)
            } else {
                position[key] = groups.count
                groups.append(Group(key: key, indices: [i]))
            }
        }
        self.groups = groups
    }
}

/// Field types per measurement: the first type written for a field is its type (InfluxDB's
/// rule); a point that gives a field another type is refused whole, naming field and types.
enum FieldTypeValidator {
    /// Splits a batch into accepted points and rejections, registering the types of new
    /// fields as it goes (before the WAL write, so two concurrent batches cannot establish
    /// two types for one field).
    static func validate(_ batch: WriteBatch, registeringIn s: inout EngineState) -> ([Point], [PointRejection]) {
        var accepted: [Point] = []
        accepted.reserveCapacity(batch.points.count)
        var rejected: [PointRejection] = []
        // Consecutive points of one measurement usually carry the same fields in the same
        // order: once such a shape has been checked, the next point needs no lookups.
        var lastMeasurement = ""
        var lastShape: [Field] = []
        for (index, point) in batch.points.enumerated() {
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
