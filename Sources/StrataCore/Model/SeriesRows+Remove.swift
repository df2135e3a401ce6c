extension SeriesRows {
    /// The rows whose timestamp lies in none of `ranges` (order kept): a tombstone applied
    /// to decoded segment rows or to the head.
    func removingRows(timesIn ranges: [ClosedRange<Int64>]) -> SeriesRows {
        guard !ranges.isEmpty else { return self }
        var keep: [Int] = []
        keep.reserveCapacity(count)
        for (i, t) in timestamps.enumerated() where !ranges.contains(where: { $0.contains(t) }) { keep.append(i) }
        if keep.count == count { return self }
        var out = SeriesRows(key: key)
        out.timestamps = keep.map { timestamps[$0] }
        for (name, column) in columns { out.columns[name] = column.gathered(keep) }
        return out
    }

    /// Rows of several chunks of one series, in order, as one: a field missing from a chunk
    /// is null there.
    static func concatenated(_ parts: [SeriesRows], key: SeriesKey) -> SeriesRows {
        if parts.count == 1 { return parts[0] }
        var out = SeriesRows(key: key)
        var types: [String: FieldType] = [:]
        var total = 0
        for part in parts {
            total += part.count
            for (name, column) in part.columns { types[name] = column.type }
        }
        out.timestamps.reserveCapacity(total)
        for part in parts { out.timestamps.append(contentsOf: part.timestamps) }
        for (name, type) in types {
            var all = ColumnData(type: type)
            all.reserveCapacity(total)
            for part in parts {
                if let column = part.columns[name] { all.append(contentsOf: column, range: 0..<column.count) } else { all.appendNullRows(part.count) }
            }
            out.columns[name] = all
        }
        return out
    }
}
