/// Adjacent ranges one source serves in a row, noted in `ScanStatistics.served` as one: a
/// scan serves a range per block header or tier bucket (72,000 in the month benchmark's
/// hourly mean), and a dictionary update by name for each was several percent of it.
/// Call `flush` when the run of the source ends.
struct ServedRun {
    let source: String
    private var open: ClosedRange<Int64>?

    init(source: String) { self.source = source }

    /// Notes `r`, after every range noted so far. `closingGap`: nothing of the series lies
    /// between the last range and `r` (consecutive blocks answered from their headers), so
    /// the gap joins them: per series, hour blocks of 1 Hz data end a second before the next
    /// starts, and 72,000 ranges noted apart were ~6% of the month's hourly mean.
    mutating func add(_ r: ClosedRange<Int64>, to statistics: inout ScanStatistics, closingGap: Bool = false) {
        if let o = open, o.upperBound &+ 1 == r.lowerBound || closingGap && o.upperBound < r.lowerBound {
            open = o.lowerBound...r.upperBound
            return
        }
        flush(to: &statistics)
        open = r
    }

    mutating func flush(to statistics: inout ScanStatistics) {
        if let o = open { statistics.served[source, default: ServedRanges()].insert(o) }
        open = nil
    }
}
