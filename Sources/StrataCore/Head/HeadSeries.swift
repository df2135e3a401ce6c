/// One series' rows in arrival order: a shared timestamp column and one column per field.
/// Used twice: to turn a batch's points into per-series column chunks (on the request's
/// task, in parallel with other requests), and as the head's storage, which appends those
/// chunks column by column on the WAL thread.
///
/// Columns live in an array so that a row whose fields come in the order the series first
/// saw them (the usual case: one device, one firmware) is appended without hashing a name.
struct HeadSeries {
    let key: SeriesKey
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

    var count: Int { timestamps.count }

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
    mutating func append(_ chunk: SeriesRows) {
        let before = timestamps.count
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
    }

    private mutating func addColumn(_ name: String, type: FieldType, rows: Int) -> Int {
        var column = ColumnData(type: type)
        column.appendNullRows(rows)
        names.append(name)
        columns.append(column)
        return columns.count - 1
    }

    /// Keeps the rows whose timestamp is outside `range` (a delete), order kept.
    mutating func removeRows(in range: ClosedRange<Int64>) {
        var keep: [Int] = []
        keep.reserveCapacity(count)
        for (i, t) in timestamps.enumerated() where !range.contains(t) { keep.append(i) }
        guard keep.count != count else { return }
        timestamps = keep.map { timestamps[$0] }
        for c in columns.indices { columns[c] = columns[c].gathered(keep) }
    }

    /// Rough bytes of column data, for the flush threshold.
    var approximateBytes: Int { Self.approximateBytes(count, columns) }

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

    /// The rows as scans, flushes and the WAL consume them (arrays shared, not copied).
    var rows: SeriesRows {
        var out = SeriesRows(key: key)
        out.timestamps = timestamps
        for (name, column) in zip(names, columns) { out.columns[name] = column }
        return out
    }
}
