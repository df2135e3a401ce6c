extension StorageEngine {
    /// Validates field types, logs the accepted points durably, applies them to the head and
    /// publishes them on the change feed. Returns once they are durable; points that conflict
    /// with a field's established type are refused one by one, the rest are written.
    public func write(_ batch: WriteBatch) async throws -> WriteResult {
        try Self.validateDatabaseName(batch.database)
        let (accepted, rejected) = try validate(batch)
        guard !accepted.isEmpty else { return WriteResult(sequence: nil, accepted: 0, rejected: rejected) }
        let toWrite = accepted.count == batch.points.count ? batch : WriteBatch(database: batch.database, points: accepted)
        let payload = WALBatchCodec.encode(toWrite)
        let sequence = try await wal.append(type: .writeBatch, payload: payload) { [self] sequence in
            apply(toWrite, sequence: sequence)
        }
        maybeStartFlush()
        return WriteResult(sequence: sequence, accepted: accepted.count, rejected: rejected)
    }

    /// Checks each point's fields against the types already established for its measurement
    /// (and earlier points of the batch). New fields' types are reserved here, before the
    /// WAL write, so two concurrent batches cannot establish two types for one field.
    private func validate(_ batch: WriteBatch) throws -> ([Point], [PointRejection]) {
        try state.withLock { s throws -> ([Point], [PointRejection]) in
            guard !s.closed else { throw EngineError.closed }
            var accepted: [Point] = []
            accepted.reserveCapacity(batch.points.count)
            var rejected: [PointRejection] = []
            for (index, point) in batch.points.enumerated() {
                if let reason = conflict(point, database: batch.database, in: s) {
                    rejected.append(PointRejection(index: index, reason: reason))
                } else {
                    s.registerFieldTypes(database: batch.database, measurement: point.measurement, fields: point.fields)
                    accepted.append(point)
                }
            }
            return (accepted, rejected)
        }
    }

    private func conflict(_ point: Point, database: String, in s: EngineState) -> String? {
        guard let known = s.fieldTypes[database]?[point.measurement] else { return nil }
        for field in point.fields {
            if let existing = known[field.key], existing != field.value.type {
                return "field type conflict: input field \"\(field.key)\" on measurement \"\(point.measurement)\" "
                    + "is type \(field.value.type), already exists as type \(existing)"
            }
        }
        return nil
    }

    /// Runs on the WAL's queue once the record is durable, in sequence order.
    func apply(_ batch: WriteBatch, sequence: UInt64) {
        let now = WriteAheadLog.now()
        state.withLock { s in
            if !s.manifest.databases.contains(batch.database) {
                // A database named by a write (v2 buckets, import) exists from then on; its
                // name reaches the manifest at the next flush, and replay restores it before.
                s.manifest.databases.append(batch.database)
                s.manifest.databases.sort()
            }
            for point in batch.points {
                let key = point.seriesKey
                let id = s.index.idOrInsert(database: batch.database, key: key)
                s.registerFieldTypes(database: batch.database, measurement: point.measurement, fields: point.fields)
                s.head.append(seriesID: id, key: key, point: point, sequence: sequence, now: now)
            }
        }
        feed.publish(CommittedBatch(sequence: sequence, batch: batch))
    }
}
