// See docs/format/segment.md, "Series table" (stats) and "Min and max times".

/// What a field block's entry says about its values without decoding them: enough to answer
/// count, min, max, sum (and so mean), first and last over whole blocks, and the time of
/// the point min() and max() select.
public struct BlockStats: Sendable, Equatable {
    /// Non-null values in the block.
    public var count: Int
    public var first: FieldValue
    public var firstTime: Int64
    public var last: FieldValue
    public var lastTime: Int64
    /// Numeric and boolean columns only (booleans order false < true); nil for strings.
    public var min: FieldValue?
    public var max: FieldValue?
    /// Float columns: the float sum. Integer and unsigned columns: the exact sum, or nil if
    /// it overflowed 64 bits (then a reader must decode). Nil for booleans and strings.
    public var sum: FieldValue?
    /// The time of the earliest row holding `min` (resp. `max`): ties go to the earliest
    /// row, as InfluxDB's min() and max() select the earliest point. Nil where `min` and
    /// `max` are nil, and in format version 1 segments, which do not store them (a query
    /// that reports the selected point's time then decodes the block).
    public var minTime: Int64?
    public var maxTime: Int64?

    /// Computes the stats of the non-null values of `column` over `rows`, or nil if all are null.
    static func compute(_ column: ColumnData, timestamps: ArraySlice<Int64>, rows: Range<Int>) -> BlockStats? {
        let present = rows.filter { column.valid[$0] }
        guard let firstRow = present.first, let lastRow = present.last,
              let first = column.value(at: firstRow), let last = column.value(at: lastRow) else { return nil }
        var stats = BlockStats(count: present.count, first: first, firstTime: timestamps[firstRow], last: last,
                               lastTime: timestamps[lastRow])
        let lo: Int, hi: Int
        switch column.type {
        case .float:
            let v = column.floats
            // NaN never reaches storage through line protocol, but skipping it keeps the
            // stats meaningful if it ever does (every comparison with NaN is false, so a
            // leading NaN would otherwise stand as min and max). All NaN: the first row.
            let numbers = present.filter { !v[$0].isNaN }
            // -0.0 and 0.0 compare equal (IEEE 754, and the query layer's own comparison):
            // the earlier row wins and its value, sign included, is stored.
            (lo, hi) = extremes(numbers.isEmpty ? present : numbers) { v[$0] < v[$1] }
            stats.sum = .float(present.reduce(0) { $0 + v[$1] })
        case .integer:
            let v = column.integers
            (lo, hi) = extremes(present) { v[$0] < v[$1] }
            stats.sum = exactSum(present.lazy.map { v[$0] }).map(FieldValue.integer)
        case .unsigned:
            let v = column.unsigneds
            (lo, hi) = extremes(present) { v[$0] < v[$1] }
            stats.sum = exactSum(present.lazy.map { v[$0] }).map(FieldValue.unsigned)
        case .boolean:
            let v = column.booleans
            (lo, hi) = extremes(present) { !v[$0] && v[$1] }
        case .string:
            return stats
        }
        stats.min = column.value(at: lo)
        stats.max = column.value(at: hi)
        stats.minTime = timestamps[lo]
        stats.maxTime = timestamps[hi]
        return stats
    }

    /// The rows of the least and greatest values; `rows` ascend in time and only a strictly
    /// smaller (greater) value replaces the current one, so ties keep the earliest row.
    private static func extremes(_ rows: [Int], less: (Int, Int) -> Bool) -> (min: Int, max: Int) {
        var lo = rows[0], hi = rows[0]
        for row in rows.dropFirst() {
            if less(row, lo) { lo = row }
            if less(hi, row) { hi = row }
        }
        return (lo, hi)
    }

    /// The sum, or nil when it does not fit the type (a reader then decodes the block).
    private static func exactSum<T: FixedWidthInteger>(_ values: some Sequence<T>) -> T? {
        var sum: T = 0
        for v in values {
            let (s, overflow) = sum.addingReportingOverflow(v)
            if overflow { return nil }
            sum = s
        }
        return sum
    }
}
