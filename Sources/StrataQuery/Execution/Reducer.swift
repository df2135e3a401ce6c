import StrataCore

/// A point an aggregate emits: its value, the time it carries (the selected point's time for
/// selectors, else unused), and for selectors the values of auxiliary columns at that point.
struct ReducedPoint: Sendable {
    var time: Int64
    var value: QueryValue
    var aux: [QueryValue] = []
}

/// The rows of one series chunk handed to reducers: a column of one field, its timestamps,
/// and the row range that falls into the reducer's bucket. `aux` gives auxiliary values of a
/// row for selectors (nil when the query has no auxiliary columns).
struct ColumnSlice {
    let column: ColumnData
    let timestamps: [Int64]
    let range: Range<Int>
    let aux: ((Int) -> [QueryValue])?
}

/// Folds the values of one field within one bucket of one group into an aggregate. Call
/// order: any number of `add` and `add(summary:)` calls in any order, then `result` once.
/// An empty input yields no points.
class Reducer {
    func add(_ slice: ColumnSlice) {}
    func add(summary: BlockStats) {}
    /// Summary `i` of a run's column of the field: as `add(summary:)` with its stats, which
    /// reducers that need only a part of them (count, sum) read without making them.
    func add(summary i: Int, of column: SummaryStatsColumn) {
        if let stats = column[i] { add(summary: stats) }
    }
    func result() -> [ReducedPoint] { [] }
}

extension FieldValue {
    var queryValue: QueryValue {
        switch self {
        case .float(let v): return .float(v)
        case .integer(let v): return .integer(v)
        case .unsigned(let v): return .unsigned(v)
        case .boolean(let v): return .boolean(v)
        case .string(let v): return .string(v)
        }
    }
}

extension ColumnData {
    func queryValue(at row: Int) -> QueryValue {
        guard valid[row] else { return .null }
        switch type {
        case .float: return .float(floats[row])
        case .integer: return .integer(integers[row])
        case .unsigned: return .unsigned(unsigneds[row])
        case .boolean: return .boolean(booleans[row])
        case .string: return .string(strings[row])
        }
    }
}

/// Orders values of one type the way InfluxDB's selectors and sorts do.
enum ValueOrder {
    static func less(_ a: QueryValue, _ b: QueryValue) -> Bool {
        switch (a, b) {
        case let (.float(x), .float(y)): return x < y
        case let (.integer(x), .integer(y)): return x < y
        case let (.unsigned(x), .unsigned(y)): return x < y
        case let (.boolean(x), .boolean(y)): return !x && y
        case let (.string(x), .string(y)): return x < y
        default:
            if let x = ValueMath.asDouble(a), let y = ValueMath.asDouble(b) { return x < y }
            return false
        }
    }
}
