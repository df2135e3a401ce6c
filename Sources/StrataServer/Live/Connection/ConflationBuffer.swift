import StrataCore

/// The latest row per series of a subscription whose connection lags (policy `conflate`),
/// and how many points it stands for.
struct ConflationBuffer: Sendable {
    private var latest: [SeriesKey: SeriesRows] = [:]
    private var order: [SeriesKey] = []
    /// Points folded in, including those kept as latest rows.
    private(set) var folded = 0
    /// The sequence of the last batch folded in.
    private(set) var sequence: UInt64 = 0

    /// Keeps the last selected row of each series of `batch`.
    mutating func fold(_ batch: EncodedBatch, sequence: UInt64) {
        self.sequence = sequence
        for (series, selected) in batch.rows {
            folded += selected.count
            let row = selected.last!
            var one = SeriesRows(key: series.key)
            one.timestamps = [series.timestamps[row]]
            for (name, column) in series.columns {
                var single = ColumnData(type: column.type)
                single.append(contentsOf: column, range: row..<(row + 1))
                one.columns[name] = single
            }
            if latest.updateValue(one, forKey: series.key) == nil { order.append(series.key) }
        }
    }

    /// The rows to send; `folded - rows` points were skipped.
    var rows: Int { order.count }

    /// `"series":[…]}` with the latest row of each series, in first-seen order.
    func tail(formatter: SeriesFormatter) -> [UInt8] {
        var objects: [UInt8] = []
        for key in order {
            guard let series = latest[key] else { continue }
            if !objects.isEmpty { objects.append(UInt8(ascii: ",")) }
            formatter.appendSeries(series, rows: [0], to: &objects)
        }
        return LiveMessage.tail(seriesObjects: objects)
    }
}
