// See docs/format/segment.md ("stats").

/// What a segment row block's entry says about it, without decoding: its time bounds, its
/// row count and, per requested field that has values in it, the field's stats. A field
/// absent from `fields` has no value in the block. Integer and unsigned stats always carry
/// their sum (blocks whose sum overflowed are decoded instead).
public struct BlockSummary: Sendable, Equatable {
    public var minTime: Int64
    public var maxTime: Int64
    public var rowCount: Int
    public var fields: SummaryFields

    public init(minTime: Int64, maxTime: Int64, rowCount: Int, fields: SummaryFields) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.rowCount = rowCount
        self.fields = fields
    }
}
