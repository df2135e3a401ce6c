import StrataCore

/// A batch's rows as one shape sees them, encoded once: the shared end of the data
/// message (`"series":[…]}`), the point count, and the rows (for conflation).
struct EncodedBatch: Sendable {
    let tail: [UInt8]
    let points: Int
    /// The series with at least one row for the shape, and those rows' indices.
    let rows: [(series: SeriesRows, selected: [Int])]

    /// nil when the shape selects no row of these series.
    init?(_ series: [SeriesRows], formatter: SeriesFormatter) {
        var objects: [UInt8] = []
        var points = 0
        var rows: [(series: SeriesRows, selected: [Int])] = []
        for s in series {
            let selected = formatter.selectedRows(s)
            guard !selected.isEmpty else { continue }
            if !objects.isEmpty { objects.append(UInt8(ascii: ",")) }
            formatter.appendSeries(s, rows: selected, to: &objects)
            points += selected.count
            rows.append((s, selected))
        }
        guard points > 0 else { return nil }
        tail = LiveMessage.tail(seriesObjects: objects)
        self.points = points
        self.rows = rows
    }
}
