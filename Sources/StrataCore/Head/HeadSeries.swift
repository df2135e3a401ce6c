/// One series' rows in arrival order: a shared timestamp column and one column per field.
/// Used twice: to turn a batch's points into per-series column chunks (on the request's
/// task, in parallel with other requests), and as the head's storage, which appends those
/// chunks column by column on the WAL thread.
///
/// Columns live in an array so that a row whose fields come in the order the series first
/// saw them (the usual case: one device, one firmware) is appended without hashing a name.
///
/// In the head, rows past `sealRows` are sealed into `HeadChunk`s (`sealIfFull`): the
/// columns hold only the newest rows, the chunks the older ones, encoded.
struct HeadSeries {
    let key: SeriesKey
    /// Older rows, sealed, in arrival order, before the columns' rows.
    private(set) var sealed: [HeadChunk] = []
    private(set) var sealedRows = 0
    private(set) var sealedBytes = 0
    /// The open rows' bytes as `approximateBytes` counts them, kept as rows come.
    private(set) var openBytes = 0
    private(set) var timestamps: [Int64] = []
    private(set) var names: [String] = []
    private(set) var columns: [ColumnData] = []
    /// The column named `name`. A linear search: a series has a handful of fields, and a
    /// dictionary per series cost ~200 bytes of each of a million series (docs/limits.md,
    /// "Memory per series").
    private func position(_ name: String) -> Int? {
        names.firstIndex(of: name)
    }

    init(key: SeriesKey) {
        self.key = key
    }

    var count: Int { sealedRows + timestamps.count }

    /// Open rows sealed into one chunk. 1,024: a chunk's fixed cost (~0.6 KB: its header,
    /// column entries and codec headers) is then under 0.1 byte a value of a ten-field
    /// series, while a series' open rows hold at most ~100 KB (1,024 rows of ten values at
    /// 9 bytes and a time). Open rows count in `Head.bytes`, so the flush threshold bounds
    /// them too, however many series there are.
    static let sealRows = 1_024

    /// Appends one row. Field types were validated against the measurement, so each value
    /// matches its column's type.
    mutating func append(timestamp: Int64, fields: [Field]) {
        let row = timestamps.count
        timestamps.append(timestamp)
        for (i, field) in fields.enumerated() {
            let c: Int
            if i < names.count && names[i] == field.key {
                c = i
            } else if let p = position(field.key) {
                c = p
            } else {
                c = addColumn(field.key, type: field.value.type, rows: row)
            }
            // A key repeated within one row keeps its first value (the parser already folds
            // duplicates; this only guards alignment).
            if columns[c].count == row { columns[c].append(field.value) }
        }
        if fields.count < columns.count || columns.contains(where: { $0.count == row }) {
            for c in columns.indices where columns[c].count == row { columns[c].appendNull() }
        }
    }

    /// Appends a chunk of rows column by column. A chunk column whose type differs from the
    /// head's (validation makes this unreachable) is stored as nulls rather than misaligning.
    /// `bytes`: the chunk's `approximateBytes`, when the caller has counted them already.
    /// Returns whether the series gained a column.
    @discardableResult
    mutating func append(_ chunk: SeriesRows, bytes: Int? = nil) -> Bool {
        openBytes += bytes ?? Self.approximateBytes(chunk.count, chunk.columns.values)
        let before = timestamps.count
        let columnsBefore = columns.count
        timestamps.append(contentsOf: chunk.timestamps)
        for (name, column) in chunk.columns {
            let c = position(name) ?? addColumn(name, type: column.type, rows: before)
            if columns[c].type == column.type {
                columns[c].append(contentsOf: column, range: 0..<column.count)
            }
        }
        for c in columns.indices where columns[c].count < timestamps.count {
            columns[c].appendNullRows(timestamps.count - columns[c].count)
        }
        return columns.count > columnsBefore
    }

    private mutating func addColumn(_ name: String, type: FieldType, rows: Int) -> Int {
        var column = ColumnData(type: type)
        column.appendNullRows(rows)
        names.append(name)
        columns.append(column)
        return columns.count - 1
    }

    /// Keeps the rows whose timestamp is outside `range` (a delete), order kept. Sealed
    /// rows are opened again (a delete is rare; the next appends seal them anew).
    mutating func removeRows(in range: ClosedRange<Int64>) {
        guard sealed.contains(where: { $0.minTime <= range.upperBound && $0.maxTime >= range.lowerBound })
            || timestamps.contains(where: range.contains) else { return }
        let all = rows
        var keep: [Int] = []
        keep.reserveCapacity(all.count)
        for (i, t) in all.timestamps.enumerated() where !range.contains(t) { keep.append(i) }
        (sealed, sealedRows, sealedBytes) = ([], 0, 0)
        timestamps = keep.map { all.timestamps[$0] }
        columns = names.map { all.columns[$0]!.gathered(keep) }
        openBytes = Self.approximateBytes(timestamps.count, columns)
    }

    /// Seals the open rows once there are `sealRows` of them; returns the change in
    /// `approximateBytes`.
    mutating func sealIfFull() -> Int {
        guard timestamps.count >= Self.sealRows,
              let chunk = HeadChunk(timestamps: timestamps, names: names, columns: columns) else { return 0 }
        let change = chunk.approximateBytes - openBytes
        sealed.append(chunk)
        sealedRows += chunk.rows
        sealedBytes += chunk.approximateBytes
        timestamps = []
        timestamps.reserveCapacity(Self.sealRows)
        for c in columns.indices {
            columns[c] = ColumnData(type: columns[c].type)
            columns[c].reserveCapacity(Self.sealRows)
        }
        openBytes = 0
        return change
    }

    /// The least and greatest timestamp, without decoding; nil while empty.
    var timeBounds: ClosedRange<Int64>? {
        var lo = timestamps.min(), hi = timestamps.max()
        for chunk in sealed {
            lo = Swift.min(lo ?? chunk.minTime, chunk.minTime)
            hi = Swift.max(hi ?? chunk.maxTime, chunk.maxTime)
        }
        guard let lo, let hi else { return nil }
        return lo...hi
    }

    /// Rough bytes of memory the rows hold, for the flush threshold: the sealed chunks' and
    /// the open columns'.
    var approximateBytes: Int { sealedBytes + openBytes }

    /// What a series costs the head before its first value: its entry in the head's table,
    /// its column and name arrays, and each column's arrays. 512 bytes: heaptrack put the
    /// head's share of a write of 100 k new two-field series at ~600 bytes a series. Counted
    /// in `Head.bytes`, so that many new series fill the head (and the `cache-max-memory-size`
    /// budget) as their memory does, not only as their values do.
    static let overheadBytes = 512

    static func approximateBytes(_ rows: Int, _ columns: some Collection<ColumnData>) -> Int {
        var bytes = rows * 8
        for column in columns {
            bytes += column.count * 9
            if column.type == .string { bytes += column.strings.reduce(0) { $0 + 16 + $1.utf8.count } }
        }
        return bytes
    }

    /// The rows as scans, flushes and the WAL consume them, in arrival order: sealed chunks
    /// decoded, the open columns shared, not copied, when nothing is sealed.
    var rows: SeriesRows { rows(overlapping: nil, fields: nil) }

    /// The rows, leaving out sealed chunks wholly outside `range` and fields not in `fields`
    /// (nil: all). Decodes: call it outside the engine lock.
    func rows(overlapping range: ClosedRange<Int64>?, fields: Set<String>?) -> SeriesRows {
        var out = SeriesRows(key: key)
        let wanted = sealed.filter { chunk in range.map { chunk.minTime <= $0.upperBound && chunk.maxTime >= $0.lowerBound } ?? true }
        if wanted.isEmpty {
            out.timestamps = timestamps
            for (name, column) in zip(names, columns) where fields?.contains(name) ?? true { out.columns[name] = column }
            return out
        }
        out.timestamps.reserveCapacity(wanted.reduce(timestamps.count) { $0 + $1.rows })
        for chunk in wanted { chunk.decode(into: &out, fields: fields) }
        let before = out.timestamps.count
        out.timestamps.append(contentsOf: timestamps)
        for (name, column) in zip(names, columns) where fields?.contains(name) ?? true {
            var merged = out.columns.removeValue(forKey: name) ?? ColumnData(type: column.type)
            merged.appendNullRows(before - merged.count)
            if merged.type == column.type {
                merged.append(contentsOf: column, range: 0..<column.count)
            }
            out.columns[name] = merged
        }
        out.padColumns()
        return out
    }
}
