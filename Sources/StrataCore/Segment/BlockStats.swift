// See docs/format/segment.md, "Field block entry".

/// What a field block's entry says about its values without decoding them: enough to answer
/// count, min, max, sum (and so mean), first and last over whole blocks.
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

    /// Computes the stats of the non-null values of `column` over `rows`, or nil if all are null.
    static func compute(_ column: ColumnData, timestamps: ArraySlice<Int64>, rows: Range<Int>) -> BlockStats? {
        guard let firstRow = rows.first(where: { column.valid[$0] }),
              let lastRow = rows.last(where: { column.valid[$0] }),
              let first = column.value(at: firstRow), let last = column.value(at: lastRow) else { return nil }
        var stats = BlockStats(count: 0, first: first, firstTime: timestamps[firstRow], last: last,
                               lastTime: timestamps[lastRow])
        switch column.type {
        case .float:
            let values = rows.lazy.filter { column.valid[$0] }.map { column.floats[$0] }
            stats.count = values.count
            // NaN never reaches storage through line protocol, but a min that skips it keeps
            // stats meaningful if it ever does (Swift's min/max would propagate it).
            stats.min = .float(values.reduce(Double.infinity) { Swift.min($0, $1) })
            stats.max = .float(values.reduce(-Double.infinity) { Swift.max($0, $1) })
            stats.sum = .float(values.reduce(0, +))
        case .integer:
            let values = rows.lazy.filter { column.valid[$0] }.map { column.integers[$0] }
            stats.count = values.count
            stats.min = .integer(values.min()!)
            stats.max = .integer(values.max()!)
            stats.sum = exactSum(values).map(FieldValue.integer)
        case .unsigned:
            let values = rows.lazy.filter { column.valid[$0] }.map { column.unsigneds[$0] }
            stats.count = values.count
            stats.min = .unsigned(values.min()!)
            stats.max = .unsigned(values.max()!)
            stats.sum = exactSum(values).map(FieldValue.unsigned)
        case .boolean:
            let values = rows.lazy.filter { column.valid[$0] }.map { column.booleans[$0] }
            stats.count = values.count
            stats.min = .boolean(!values.contains(false))
            stats.max = .boolean(values.contains(true))
        case .string:
            stats.count = rows.lazy.filter { column.valid[$0] }.count
        }
        return stats
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
