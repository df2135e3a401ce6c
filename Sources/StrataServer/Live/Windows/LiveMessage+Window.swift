import NIOCore
import StrataQuery

extension LiveMessage {
    /// `{"type":"data","id":…,"seq":…,["history":true,]"window":{"start":…,"end":…},
    /// ["correction":true,]"series":[…]}` with one row per series (the window's aggregates).
    static func window(id: String, seq: UInt64, start: Int64, end: Int64, history: Bool, correction: Bool,
                       series: [ResultSeries], format: TimeFormat) -> ByteBuffer {
        var out = dataPrefix(id: id, seq: seq, extra: history ? "\"history\":true," : nil)
        JSONBytes.appendRaw("\"window\":{\"start\":", to: &out)
        JSONBytes.appendTime(start, format: format, to: &out)
        JSONBytes.appendRaw(",\"end\":", to: &out)
        JSONBytes.appendTime(end, format: format, to: &out)
        JSONBytes.appendRaw("},", to: &out)
        if correction { JSONBytes.appendRaw("\"correction\":true,", to: &out) }
        JSONBytes.appendRaw("\"series\":[", to: &out)
        for (i, s) in series.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendResultSeries(s, format: format, to: &out)
        }
        JSONBytes.appendRaw("]}", to: &out)
        return ByteBuffer(bytes: out)
    }

    private static func appendResultSeries(_ s: ResultSeries, format: TimeFormat, to out: inout [UInt8]) {
        JSONBytes.appendRaw("{\"name\":", to: &out)
        JSONBytes.appendString(s.name, to: &out)
        JSONBytes.appendRaw(",\"tags\":{", to: &out)
        for (i, key) in s.tags.keys.sorted().enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONBytes.appendString(s.tags[key]!, to: &out)
        }
        JSONBytes.appendRaw("},\"columns\":[", to: &out)
        for (i, column) in s.columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendString(column, to: &out)
        }
        JSONBytes.appendRaw("],\"values\":[", to: &out)
        for (r, row) in s.values.enumerated() {
            if r > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (i, value) in row.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendQueryValue(value, format: format, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        JSONBytes.appendRaw("]}", to: &out)
    }

    private static func appendQueryValue(_ value: QueryValue, format: TimeFormat, to out: inout [UInt8]) {
        switch value {
        case .null: JSONBytes.appendRaw("null", to: &out)
        case .float(let x): JSONBytes.appendFloat(x, to: &out)
        case .integer(let i): JSONBytes.appendInteger(i, to: &out)
        case .unsigned(let u): JSONBytes.appendInteger(u, to: &out)
        case .string(let s): JSONBytes.appendString(s, to: &out)
        case .boolean(let b): b ? JSONBytes.appendRaw("true", to: &out) : JSONBytes.appendRaw("false", to: &out)
        case .time(let t): JSONBytes.appendTime(t, format: format, to: &out)
        }
    }
}
