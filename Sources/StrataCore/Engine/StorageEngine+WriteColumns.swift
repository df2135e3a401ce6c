extension StorageEngine {
    /// Writes a body parsed into columns (`LineProtocolParser.parseColumns`) under the same
    /// rules as `write(_ batch:)`, and returns once the accepted rows are durable. In the
    /// result, a rejection's `index` is the row's **line number**, not a position.
    ///
    /// When every column agrees with its field's type, no row is too old for the retention,
    /// and no line mixed types, the columns go to the WAL as they are. Otherwise the body is
    /// judged point by point in line order, exactly as `write(_ batch:)` judges it.
    public func write(_ columns: ParsedColumns, to database: String) async throws -> WriteResult {
        try Self.validateDatabaseName(database)
        guard columns.pointCount > 0 else { return WriteResult(sequence: nil, accepted: 0, rejected: []) }
        try await waitForHeadRoom()
        let consistent = try state.withLock { s throws in
            guard !s.closed else { throw EngineError.closed }
            let retention = s.manifest.retention[database] ?? options.defaultRetention
            let oldest = retention.oldestWritable(now: options.clock.now(), rawCut: s.manifest.cuts[database]?.raw)
            return ColumnTypeCheck.registerIfConsistent(columns, database: database, oldest: oldest, in: &s)
        }
        guard consistent else {
            let (points, lines) = columns.pointsInLineOrder()
            let result = try await write(WriteBatch(database: database, points: points))
            return WriteResult(sequence: result.sequence, accepted: result.accepted,
                               rejected: result.rejected.map { PointRejection(index: lines[$0.index], reason: $0.reason) })
        }
        let batch = ColumnarBatch(database: database, series: columns.series)
        return try await commit(batch, accepted: columns.pointCount, rejected: []) { refused in
            zip(columns.series, columns.lines).flatMap { rows, lines in refused.contains(rows.key) ? lines : [] }
        }
    }
}

/// The check that lets a columnar body skip the per-point rules (`FieldTypeValidator`).
enum ColumnTypeCheck {
    /// True, having registered the types of new fields, when nothing in `columns` could be
    /// refused by the per-point rules: every column has its field's established type (or,
    /// for a new field, the type every other column of that field in the body has), no
    /// row is older than `oldest`, and no line mixed types. False changes nothing.
    static func registerIfConsistent(_ columns: ParsedColumns, database: String, oldest: Int64?,
                                     in s: inout EngineState) -> Bool {
        guard columns.mixedTypeLines.isEmpty else { return false }
        let known = s.fieldTypes[database] ?? [:]
        var new: [String: [String: FieldType]] = [:]
        for rows in columns.series {
            if let oldest, let first = rows.timestamps.min(), first < oldest { return false }
            let measurement = rows.key.measurement
            for (name, column) in rows.columns {
                if let type = known[measurement]?[name] ?? new[measurement]?[name] {
                    guard type == column.type else { return false }
                } else {
                    new[measurement, default: [:]][name] = column.type
                }
            }
        }
        for (measurement, fields) in new {
            for (name, type) in fields { s.fieldTypes[database, default: [:]][measurement, default: [:]][name] = type }
        }
        return true
    }
}
