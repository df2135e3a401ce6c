import StrataCore

/// Writes a subscription's view of series rows as the `series` array of a data message:
/// only its fields, only rows at or after its start time that have one of those fields.
struct SeriesFormatter: Sendable {
    /// nil: every field of each series, sorted by name.
    var fields: [String]?
    /// Rows before this time are not sent (`start: {"time": t}`).
    var minTime: Int64 = .min
    var timeFormat: TimeFormat = .ns

    /// The rows of `series` this subscription sends, in their order.
    func selectedRows(_ series: SeriesRows) -> [Int] {
        let columns = self.columns(series).compactMap(\.1)
        var rows: [Int] = []
        rows.reserveCapacity(series.count)
        for row in 0..<series.count where series.timestamps[row] >= minTime {
            if columns.contains(where: { $0.valid[row] }) { rows.append(row) }
        }
        return rows
    }

    /// The value columns, named; nil where a requested field is absent from these rows.
    func columns(_ series: SeriesRows) -> [(String, ColumnData?)] {
        if let fields { return fields.map { ($0, series.columns[$0]) } }
        return series.columns.keys.sorted().map { ($0, series.columns[$0]) }
    }

    /// `{"name":…,"tags":{…},"columns":["time",…],"values":[[…],…]}` for `rows` of `series`.
    func appendSeries(_ series: SeriesRows, rows: some Collection<Int>, to out: inout [UInt8]) {
        let columns = self.columns(series)
        Self.appendHeader(series.key, columnNames: columns.map(\.0), to: &out)
        var first = true
        for row in rows {
            out.append(first ? UInt8(ascii: "[") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "["))
            JSONBytes.appendTime(series.timestamps[row], format: timeFormat, to: &out)
            for (_, column) in columns {
                out.append(UInt8(ascii: ","))
                if let column { JSONBytes.appendCell(column, row: row, to: &out) } else { JSONBytes.appendRaw("null", to: &out) }
            }
            out.append(UInt8(ascii: "]"))
        }
        JSONBytes.appendRaw(first ? "[]}" : "]}", to: &out)
    }

    /// `{"name":…,"tags":{…},"columns":[…],"values":` — the caller writes the values.
    static func appendHeader(_ key: SeriesKey, columnNames: [String], to out: inout [UInt8]) {
        JSONBytes.appendRaw("{\"name\":", to: &out)
        JSONBytes.appendString(key.measurement, to: &out)
        JSONBytes.appendRaw(",\"tags\":{", to: &out)
        for (i, tag) in key.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendString(tag.key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONBytes.appendString(tag.value, to: &out)
        }
        JSONBytes.appendRaw("},\"columns\":[\"time\"", to: &out)
        for name in columnNames {
            out.append(UInt8(ascii: ","))
            JSONBytes.appendString(name, to: &out)
        }
        JSONBytes.appendRaw("],\"values\":", to: &out)
    }
}
