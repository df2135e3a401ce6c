/// Adjacent ranges one source serves in a row, noted in `ScanStatistics.served` as one: a
/// scan serves a range per block header or tier bucket (72,000 in the month benchmark's
/// hourly mean), and a dictionary update by name for each was several percent of it.
/// Call `flush` when the run of the source ends.
struct ServedRun {
    let source: String
    private var open: ClosedRange<Int64>?

    init(source: String) { self.source = source }

    mutating func add(_ r: ClosedRange<Int64>, to statistics: inout ScanStatistics) {
        if let o = open, o.upperBound &+ 1 == r.lowerBound {
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
