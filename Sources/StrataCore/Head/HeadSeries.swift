/// One series in the head: a shared timestamp column and one column per field, appended in
/// arrival order. Columns live in an array so that a row whose fields come in the order
/// the series first saw them (the usual case: one device, one firmware) is appended
/// without hashing a single field name.
struct HeadSeries {
    let key: SeriesKey
    private(set) var timestamps: [Int64] = []
    private(set) var names: [String] = []
    private(set) var columns: [ColumnData] = []
    private var position: [String: Int] = [:]

    init(key: SeriesKey) {
        self.key = key
    }

    var count: Int { timestamps.count }

    /// Appends one row. Field types were validated against the measurement before the WAL,
    /// so each value matches its column's type.
    mutating func append(timestamp: Int64, fields: [Field]) {
        let row = timestamps.count
        timestamps.append(timestamp)
        for (i, field) in fields.enumerated() {
            let c: Int
            if i < names.count && names[i] == field.key {
                c = i
            } else if let p = position[field.key] {
                c = p
            } else {
                c = addColumn(field.key, type: field.value.type, rows: row)
            }
            // A key repeated within one row keeps its first value's slot (the parser already
            // folds duplicates; this only guards alignment).
            if columns[c].count == row { columns[c].append(field.value) }
        }
        if fields.count < columns.count || columns.contains(where: { $0.count == row }) {
            for c in columns.indices where columns[c].count == row { columns[c].appendNull() }
        }
    }

    private mutating func addColumn(_ name: String, type: FieldType, rows: Int) -> Int {
        var column = ColumnData(type: type)
        column.appendNulls(rows)
        position[name] = columns.count
        names.append(name)
        columns.append(column)
        return columns.count - 1
    }

    /// The rows as a scan or flush consumes them (arrays are shared, not copied).
    var rows: SeriesRows {
        var out = SeriesRows(key: key)
        out.timestamps = timestamps
        for (name, column) in zip(names, columns) { out.columns[name] = column }
        return out
    }
}

extension HeadSeries {
    mutating func appendRows(_ points: [Point], _ indices: [Int]) {
        for i in indices { append(timestamp: points[i].timestamp, fields: points[i].fields) }
    }
}
