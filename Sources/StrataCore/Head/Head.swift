/// The rows the WAL holds but no segment does yet: per series, sealed chunks of older rows
/// and a shared timestamp column and a column per field for the newest, in arrival order (out-of-order and duplicate timestamps are sorted
/// and merged when read or flushed). Not thread-safe: the engine guards it.
struct Head {
    /// Series id → its rows.
    private(set) var series: [UInt32: HeadSeries] = [:]
    /// Rough bytes of memory the rows hold (sealed chunks and open columns), for the flush
    /// threshold and `cache-max-memory-size`.
    private(set) var bytes = 0
    private(set) var rows = 0
    /// Lowest and highest sequence applied; nil while empty.
    private(set) var firstSequence: UInt64?
    private(set) var lastSequence: UInt64?
    /// Seconds since the epoch of the first write applied, for the age threshold.
    private(set) var firstWriteAt: Double?

    var isEmpty: Bool { rows == 0 }

    /// Appends a chunk of one series' rows committed under `sequence`; returns the chunk's
    /// value bytes as `bytes` counts them (the change feed sizes the batch with them), and
    /// whether the series gained a field in this head (its first rows count as gaining all).
    @discardableResult
    mutating func append(seriesID: UInt32, chunk: SeriesRows, sequence: UInt64, now: Double)
        -> (bytes: Int, newFields: Bool)
    {
        if firstSequence == nil {
            firstSequence = sequence
            firstWriteAt = now
        }
        lastSequence = sequence
        if series[seriesID] == nil { bytes += HeadSeries.overheadBytes }
        let added = HeadSeries.approximateBytes(chunk.count, chunk.columns.values)
        bytes += added
        let newFields = series[seriesID, default: HeadSeries(key: chunk.key)].append(chunk, bytes: added)
        bytes += series[seriesID]!.sealIfFull()
        rows += chunk.count
        return (added, newFields)
    }

    /// A series' rows, decoded (`HeadSeries.rows`).
    func rows(of seriesID: UInt32) -> SeriesRows? { series[seriesID]?.rows }

    /// Notes a record that added no rows (a tombstone), so that the head covers its
    /// sequence: flushing the head then moves `flushedThrough` past it.
    mutating func note(sequence: UInt64, now: Double) {
        if firstSequence == nil {
            firstSequence = sequence
            firstWriteAt = now
        }
        lastSequence = sequence
    }

    /// Applies a delete to one series: its rows with a timestamp in `range` go.
    mutating func removeRows(of seriesID: UInt32, in range: ClosedRange<Int64>) {
        guard var s = series[seriesID] else { return }
        let before = s.count
        let beforeBytes = s.approximateBytes
        s.removeRows(in: range)
        guard s.count != before else { return }
        rows -= before - s.count
        bytes -= beforeBytes - s.approximateBytes
        if s.count == 0 { bytes -= HeadSeries.overheadBytes }
        series[seriesID] = s.count == 0 ? nil : s
    }
}
