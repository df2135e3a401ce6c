extension SeriesRows {
    /// Appends one row; fields this series has not seen yet get a column padded with nulls.
    mutating func append(timestamp: Int64, fields: [Field]) {
        let row = timestamps.count
        timestamps.append(timestamp)
        for field in fields {
            if columns[field.key] == nil {
                var column = ColumnData(type: field.value.type)
                column.appendNulls(row)
                columns[field.key] = column
            }
            columns[field.key]!.append(field.value)
        }
        // Columns this row did not name get a null so every column stays row-aligned.
        for key in columns.keys where columns[key]!.count == row {
            columns[key]!.appendNull()
        }
    }

    /// True when timestamps rise strictly: no sort and no duplicate merge needed.
    var isStrictlyAscending: Bool {
        var previous = Int64.min
        for (i, t) in timestamps.enumerated() {
            if i > 0 && t <= previous { return false }
            previous = t
        }
        return true
    }

    /// Merges versions of one series, oldest first, into rows sorted by time with one row
    /// per timestamp. For a timestamp written more than once, each field takes the value of
    /// the latest write that has one (InfluxDB's rule: a later point overwrites per field).
    /// Keeps rows in `range` and the fields in `fields` (nil: all).
    static func merged(_ parts: [SeriesRows], key: SeriesKey, range: ClosedRange<Int64>, fields: Set<String>?) -> SeriesRows {
        if parts.count == 1, parts[0].isStrictlyAscending {
            return parts[0].sliced(range: range, fields: fields)
        }
        var order: [(time: Int64, part: Int32, row: Int32)] = []
        order.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for (p, part) in parts.enumerated() {
            for (r, t) in part.timestamps.enumerated() where range.contains(t) {
                order.append((t, Int32(p), Int32(r)))
            }
        }
        // Sorting by (time, part, row) keeps write order among equal timestamps.
        order.sort { ($0.time, $0.part, $0.row) < ($1.time, $1.part, $1.row) }
        var out = SeriesRows(key: key)
        var types: [String: FieldType] = [:]
        for part in parts {
            for (name, column) in part.columns where fields?.contains(name) ?? true { types[name] = column.type }
        }
        for (name, type) in types { out.columns[name] = ColumnData(type: type) }
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && order[j + 1].time == order[i].time { j += 1 }
            out.timestamps.append(order[i].time)
            for name in types.keys {
                var chosen: (part: Int, row: Int)?
                for k in stride(from: j, through: i, by: -1) {
                    let (_, p, r) = order[k]
                    if let column = parts[Int(p)].columns[name], column.valid[Int(r)] {
                        chosen = (Int(p), Int(r))
                        break
                    }
                }
                if let chosen, let source = parts[chosen.part].columns[name] {
                    out.columns[name]!.append(from: source, row: chosen.row)
                } else {
                    out.columns[name]!.appendNull()
                }
            }
            i = j + 1
        }
        return out
    }

    /// The rows in `range` (timestamps sorted ascending) and the named fields.
    func sliced(range: ClosedRange<Int64>, fields: Set<String>?) -> SeriesRows {
        let lower = timestamps.partitioningIndex { $0 >= range.lowerBound }
        let upper = timestamps.partitioningIndex { $0 > range.upperBound }
        var out = SeriesRows(key: key)
        out.timestamps = Array(timestamps[lower..<upper])
        for (name, column) in columns where fields?.contains(name) ?? true {
            if lower == 0 && upper == count {
                out.columns[name] = column
            } else {
                var slice = ColumnData(type: column.type)
                slice.reserveCapacity(upper - lower)
                for row in lower..<upper { slice.append(from: column, row: row) }
                out.columns[name] = slice
            }
        }
        return out
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
