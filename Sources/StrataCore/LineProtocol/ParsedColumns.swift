/// The outcome of parsing one write body straight into per-series columns: what the WAL
/// stores and the head appends, built without a `Point` per line. `LineProtocolParser.parseColumns`
/// makes it; `StorageEngine.write(_:to:)` takes it.
///
/// Every row keeps the 1-based line it came from, so the engine's refusals name lines.
public struct ParsedColumns: Sendable {
    /// One entry per series, in order of first appearance in the body; never empty.
    public internal(set) var series: [SeriesRows] = []
    /// Parallel to `series`: the line of each row.
    public internal(set) var lines: [[Int]] = []
    /// Lines that give a field another type than an earlier line of their series did. A
    /// column holds one type, so these stay points; the engine then judges the whole body
    /// point by point, in line order, as InfluxDB does (the first type of a field wins).
    public internal(set) var mixedTypeLines: [LinePoint] = []
    /// Every bad line, in order.
    public internal(set) var errors: [LineProtocolError] = []

    public init() {}

    /// A line kept as a point, with its line number.
    public struct LinePoint: Sendable {
        public var point: Point
        public var line: Int
    }

    /// Rows in the columns plus mixed-type lines: the points the body holds.
    public var pointCount: Int {
        lines.reduce(mixedTypeLines.count) { $0 + $1.count }
    }

    /// Every point in line order: the form the per-point rules (`StorageEngine.write(_ batch:)`)
    /// take when the columns alone cannot be judged. A column's nulls give no field.
    public func pointsInLineOrder() -> (points: [Point], lines: [Int]) {
        var all: [(line: Int, point: Point)] = mixedTypeLines.map { ($0.line, $0.point) }
        all.reserveCapacity(pointCount)
        for (rows, rowLines) in zip(series, lines) {
            let columns = rows.columns.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (r, line) in rowLines.enumerated() {
                let fields = columns.compactMap { name, column in column.value(at: r).map { Field(name, $0) } }
                var point = Point(measurement: rows.key.measurement, fields: fields, timestamp: rows.timestamps[r])
                point.tags = rows.key.tags
                all.append((line, point))
            }
        }
        all.sort { $0.line < $1.line }
        return (all.map(\.point), all.map(\.line))
    }

    /// Removes the series `refuse` says yes to, and the mixed-type lines of such series;
    /// returns the line and series of every row removed, in no particular order.
    public mutating func removeSeries(where refuse: (SeriesKey) -> Bool) -> [(line: Int, key: SeriesKey)] {
        var removed: [(Int, SeriesKey)] = []
        var keptSeries: [SeriesRows] = [], keptLines: [[Int]] = []
        for (rows, rowLines) in zip(series, lines) {
            if refuse(rows.key) {
                removed += rowLines.map { ($0, rows.key) }
            } else {
                keptSeries.append(rows)
                keptLines.append(rowLines)
            }
        }
        (series, lines) = (keptSeries, keptLines)
        mixedTypeLines.removeAll { linePoint in
            let key = linePoint.point.seriesKey
            guard refuse(key) else { return false }
            removed.append((linePoint.line, key))
            return true
        }
        return removed
    }
}
