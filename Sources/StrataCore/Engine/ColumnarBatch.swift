/// A write's points regrouped per series as columns: the form the WAL stores, the head
/// appends and the change feed publishes. Built on the writer's task, so the work of
/// grouping and transposing runs in parallel across requests; the WAL thread only appends
/// whole columns.
public struct ColumnarBatch: Sendable {
    public var database: String
    /// One chunk per series, in order of first appearance in the write.
    public var series: [SeriesRows]

    public init(database: String, series: [SeriesRows]) {
        self.database = database
        self.series = series
    }

    init(_ batch: WriteBatch) {
        database = batch.database
        var chunks: [HeadSeries] = []
        // Points parsed from one body share their tag arrays per series (the parser's
        // series cache), so the array's buffer address finds the group without hashing the
        // key; the key comparison then hits Array's identity fast path. Points built
        // elsewhere fall back to hashing.
        var byTagBuffer: [Int: Int] = [:]
        var byKey: [SeriesKey: Int] = [:]
        for point in batch.points {
            let address = point.tags.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
            var group = byTagBuffer[address]
            if let g = group, chunks[g].key.measurement != point.measurement || chunks[g].key.tags != point.tags {
                group = nil
            }
            if group == nil {
                let key = point.seriesKey
                if let g = byKey[key] {
                    group = g
                } else {
                    byKey[key] = chunks.count
                    group = chunks.count
                    chunks.append(HeadSeries(key: key))
                }
                byTagBuffer[address] = group
            }
            chunks[group!].append(timestamp: point.timestamp, fields: point.fields)
        }
        series = chunks.map(\.rows)
    }
}
