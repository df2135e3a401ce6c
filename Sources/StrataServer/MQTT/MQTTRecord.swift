import StrataCore
import StrataQuery

/// Reading one JSON record of a message (docs/mqtt.md, "From JSON to points").
enum MQTTRecord {
    /// The value at a dotted path of nested objects; nil if any step is missing.
    static func value(at path: [String], in record: JSONValue) -> JSONValue? {
        var current = record
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// A scalar as a tag's text: strings as they are, numbers as written, booleans as
    /// true/false; nil for null, objects and arrays.
    static func tagText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .number(let text): text
        case .bool(let b): b ? "true" : "false"
        case .null, .object, .array: nil
        }
    }

    /// Every scalar of `record` under its dotted key (`pose.x`; array items as `cells.0`),
    /// in document order. Nulls are absent values and are left out.
    static func flatten(_ record: JSONValue, prefix: String = "", into out: inout [(key: String, value: JSONValue)]) {
        switch record {
        case .object(let members):
            for (key, value) in members { flatten(value, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out) }
        case .array(let items):
            for (i, value) in items.enumerated() { flatten(value, prefix: prefix.isEmpty ? String(i) : "\(prefix).\(i)", into: &out) }
        case .null:
            return
        default:
            out.append((prefix, record))
        }
    }

    /// A JSON value as a field of `type` (nil: the default, numbers as floats).
    static func field(_ key: String, _ value: JSONValue, as type: MQTTRule.FieldType?) -> Result<FieldValue, MQTTMappingError> {
        switch (value, type) {
        case (.number(let text), nil), (.number(let text), .float?):
            guard let x = Double(text), x.isFinite else { return .failure(.init("field \"\(key)\": \(text) is not a finite float")) }
            return .success(.float(x))
        case (.number(let text), .integer?):
            guard let i = exactInteger(text, as: Int64.self) else {
                return .failure(.init("field \"\(key)\": \(text) is not a 64-bit integer, as the rule types it"))
            }
            return .success(.integer(i))
        case (.number(let text), .unsigned?):
            guard let u = exactInteger(text, as: UInt64.self) else {
                return .failure(.init("field \"\(key)\": \(text) is not an unsigned 64-bit integer, as the rule types it"))
            }
            return .success(.unsigned(u))
        case (.bool(let b), nil), (.bool(let b), .boolean?):
            return .success(.boolean(b))
        case (.string(let s), nil), (.string(let s), .string?):
            return .success(.string(s))
        case (_, let type?):
            return .failure(.init("field \"\(key)\": \(MQTTRules.kind(value)), but the rule types it \(type.rawValue)"))
        default:
            return .failure(.init("field \"\(key)\": \(MQTTRules.kind(value)) is not a field value"))
        }
    }

    /// `12`, `-3`, also `12.0` and `1.2e1`: JSON writers print whole floats either way.
    static func exactInteger<I: FixedWidthInteger>(_ text: String, as: I.Type) -> I? {
        if let i = I(text) { return i }
        guard let x = Double(text), x.rounded() == x, let i = I(exactly: x) else { return nil }
        return i
    }

    /// The record's time in nanoseconds: a number in `unit`, or an RFC 3339 string.
    static func time(_ value: JSONValue, source: MQTTRule.TimeSource) -> Result<Int64, MQTTMappingError> {
        switch value {
        case .number(let text):
            if let whole = Int64(text) {
                let (ns, overflow) = whole.multipliedReportingOverflow(by: source.unit.nanoseconds)
                return overflow ? .failure(.init("time \"\(source.field)\": \(text) \(source.unit.rawValue) is out of range")) : .success(ns)
            }
            guard let x = Double(text), x.isFinite, let ns = Int64(exactly: (x * Double(source.unit.nanoseconds)).rounded())
            else { return .failure(.init("time \"\(source.field)\": \(text) \(source.unit.rawValue) is out of range")) }
            return .success(ns)
        case .string(let text):
            guard let ns = RFC3339.parse(text) else {
                return .failure(.init("time \"\(source.field)\": \"\(text)\" is not an RFC 3339 time"))
            }
            return .success(ns)
        default:
            return .failure(.init("time \"\(source.field)\": expected a number of \(source.unit.rawValue) or an RFC 3339 string, got \(MQTTRules.kind(value))"))
        }
    }
}
