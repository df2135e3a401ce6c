import StrataCore
import StrataQuery

/// Compact JSON written straight into bytes: no intermediate values per cell, the same
/// string and float forms as `/query` (Go's encoding/json, as InfluxDB writes them).
enum JSONBytes {
    static func appendString(_ s: String, to out: inout [UInt8]) {
        GoJSONWriter.appendQuoted(s, to: &out)
    }

    static func appendRaw(_ s: StaticString, to out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        GoFloat.appendInteger(value, to: &out)
    }

    static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        GoFloat.appendInteger(value, to: &out)
    }

    /// NaN and ±Inf have no JSON form: null, as the row would have no value.
    static func appendFloat(_ x: Double, to out: inout [UInt8]) {
        if !GoFloat.appendJSON(x, to: &out) { appendRaw("null", to: &out) }
    }

    static func appendTime(_ ns: Int64, format: TimeFormat, to out: inout [UInt8]) {
        switch format {
        case .ns: appendInteger(ns, to: &out)
        case .rfc3339: appendString(RFC3339.format(ns), to: &out)
        }
    }

    /// One cell of a column, without boxing it into a FieldValue.
    static func appendCell(_ column: ColumnData, row: Int, to out: inout [UInt8]) {
        guard column.valid[row] else { return appendRaw("null", to: &out) }
        switch column.type {
        case .float: appendFloat(column.floats[row], to: &out)
        case .integer: appendInteger(column.integers[row], to: &out)
        case .unsigned: appendInteger(column.unsigneds[row], to: &out)
        case .boolean: column.booleans[row] ? appendRaw("true", to: &out) : appendRaw("false", to: &out)
        case .string: appendString(column.strings[row], to: &out)
        }
    }
}
