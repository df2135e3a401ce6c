extension SeriesRows {
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
        // Every row of every part gets a global index: part p's row r is offsets[p] + r.
        var offsets: [Int] = []
        var total = 0
        for part in parts {
            offsets.append(total)
            total += part.count
        }
        var order: [(time: Int64, index: Int)] = []
        order.reserveCapacity(total)
        for (p, part) in parts.enumerated() {
            for (r, t) in part.timestamps.enumerated() where range.contains(t) {
                order.append((t, offsets[p] + r))
            }
        }
        // Sorting by (time, global index) keeps write order among equal timestamps, since
        // parts come oldest first and rows in arrival order.
        order.sort { $0.time != $1.time ? $0.time < $1.time : $0.index < $1.index }
        var groupStarts: [Int] = []
        for i in order.indices where i == 0 || order[i].time != order[i - 1].time { groupStarts.append(i) }
        groupStarts.append(order.count)

        var out = SeriesRows(key: key)
        out.timestamps = groupStarts.dropLast().map { order[$0].time }
        var types: [String: FieldType] = [:]
        for part in parts {
            for (name, column) in part.columns where fields?.contains(name) ?? true { types[name] = column.type }
        }
        for (name, type) in types {
            var all = ColumnData(type: type)
            all.reserveCapacity(total)
            for part in parts {
                if let column = part.columns[name] { all.append(contentsOf: column, range: 0..<column.count) } else { all.appendNullRows(part.count) }
            }
            // Per timestamp, the latest write that has a value for this field.
            var picks: [Int] = []
            picks.reserveCapacity(groupStarts.count - 1)
            for g in 0..<(groupStarts.count - 1) {
                var pick = -1
                var k = groupStarts[g + 1] - 1
                while k >= groupStarts[g] {
                    if all.valid[order[k].index] { pick = order[k].index; break }
                    k -= 1
                }
                picks.append(pick)
            }
            out.columns[name] = all.gathered(picks)
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
                slice.append(contentsOf: column, range: lower..<upper)
                out.columns[name] = slice
            }
        }
        return out
    }
}

extension RandomAccessCollection where Index == Int {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the collection (binary search). Slices answer in their base's indices.
    public func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let mid = low + (high - low) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
