/// The rows the WAL holds but no segment does yet: per series, a shared timestamp column and
/// a column per field, in arrival order (out-of-order and duplicate timestamps are sorted
/// and merged when read or flushed). Not thread-safe: the engine guards it.
struct Head {
    /// Series id → its rows.
    private(set) var series: [UInt32: HeadSeries] = [:]
    /// Rough bytes of column data, for the flush threshold.
    private(set) var bytes = 0
    private(set) var rows = 0
    /// Lowest and highest sequence applied; nil while empty.
    private(set) var firstSequence: UInt64?
    private(set) var lastSequence: UInt64?
    /// Seconds since the epoch of the first write applied, for the age threshold.
    private(set) var firstWriteAt: Double?

    var isEmpty: Bool { rows == 0 }

    /// Appends a chunk of one series' rows committed under `sequence`.
    mutating func append(seriesID: UInt32, chunk: SeriesRows, sequence: UInt64, now: Double) {
        if firstSequence == nil {
            firstSequence = sequence
            firstWriteAt = now
        }
        lastSequence = sequence
        series[seriesID, default: HeadSeries(key: chunk.key)].append(chunk)
        rows += chunk.count
        bytes += chunk.count * 8
        for column in chunk.columns.values {
            bytes += column.count * 9
            if column.type == .string { bytes += column.strings.reduce(0) { $0 + 16 + $1.utf8.count } }
        }
    }

    func rows(of seriesID: UInt32) -> SeriesRows? { series[seriesID]?.rows }
}
