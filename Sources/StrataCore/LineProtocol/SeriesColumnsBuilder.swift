/// One series' rows of one body as they are parsed: a timestamp and a line number per row,
/// one column per field. A row is built value by value (`set`), then closed (`finishRow`)
/// or dropped (`rollBack`) if the line turns out bad.
struct SeriesColumnsBuilder {
    let key: SeriesKey
    private(set) var timestamps: [Int64] = []
    private(set) var lines: [Int] = []
    private(set) var names: [String] = []
    private(set) var columns: [ColumnData] = []
    /// Columns the open row has given a value to.
    private var touched = 0

    init(key: SeriesKey) {
        self.key = key
    }

    var rowCount: Int { timestamps.count }
    var columnCount: Int { columns.count }

    enum SetOutcome { case added, replaced, typeMismatch }

    /// Gives the open row (`rowCount`) `value` for field `name`, which came at `position`
    /// in its line. A repeated name takes the later value, as InfluxDB does; a value whose
    /// type is not its column's changes nothing.
    @inline(__always)
    mutating func set(_ name: String, _ value: FieldValue, position: Int) -> SetOutcome {
        let row = timestamps.count
        let c: Int
        // Rows of one series usually list the same fields in the same order.
        if position < names.count && names[position] == name {
            c = position
        } else if let found = names.firstIndex(of: name) {
            c = found
        } else {
            var column = ColumnData(type: value.type)
            if reservedRows > row { column.reserveCapacity(reservedRows) }
            column.appendNullRows(row)
            names.append(name)
            columns.append(column)
            c = columns.count - 1
        }
        guard columns[c].type == value.type else { return .typeMismatch }
        if columns[c].count > row {
            columns[c].replaceLast(value)
            return .replaced
        }
        columns[c].append(value)
        touched += 1
        return .added
    }

    /// Makes room for `rows` rows in every array, so that they are allocated once rather
    /// than regrown row by row: a body of 5,000 lines over 300 series otherwise spent a
    /// fifth of its parse in malloc.
    mutating func reserve(rows: Int) {
        timestamps.reserveCapacity(rows)
        lines.reserveCapacity(rows)
        for c in columns.indices { columns[c].reserveCapacity(rows) }
        reservedRows = rows
    }

    private(set) var reservedRows = 0

    /// Closes the open row: fields it did not give are null.
    mutating func finishRow(timestamp: Int64, line: Int) {
        let row = timestamps.count
        timestamps.append(timestamp)
        lines.append(line)
        if touched < columns.count {
            for c in columns.indices where columns[c].count == row { columns[c].appendNull() }
        }
        touched = 0
    }

    /// Drops the open row's values and the columns it added (`columnCount` before it began).
    mutating func rollBack(columnCount: Int) {
        let row = timestamps.count
        names.removeLast(names.count - columnCount)
        columns.removeLast(columns.count - columnCount)
        for c in columns.indices where columns[c].count > row { columns[c].truncate(to: row) }
        touched = 0
    }

    var rows: SeriesRows {
        var out = SeriesRows(key: key)
        out.timestamps = timestamps
        for (name, column) in zip(names, columns) { out.columns[name] = column }
        return out
    }
}
