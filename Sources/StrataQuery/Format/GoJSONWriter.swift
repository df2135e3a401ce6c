/// Writes JSON the way Go's encoding/json does, so /query bodies match InfluxDB's byte for
/// byte: compact like `json.Marshal`, or indented like `json.MarshalIndent(v, "", "    ")`
/// (each element on its own line, `"key": value`, empty containers as `[]` and `{}`).
///
/// A streaming writer rather than a value tree: a 10,000-row chunk is written straight into
/// one byte buffer, with no intermediate objects per cell. Bytes rather than a String because
/// appending to a String re-checks its storage on every call, which profiling showed as a
/// third of a large raw query's time.
public struct GoJSONWriter {
    public private(set) var bytes: [UInt8] = []
    private let indent: Bool
    /// One entry per open container: whether it has an element yet.
    private var open: [Bool] = []
    private var afterKey = false

    public init(pretty: Bool = false, capacity: Int = 256) {
        indent = pretty
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        valuePrefix()
        bytes.append(UInt8(ascii: "{"))
        open.append(false)
    }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        valuePrefix()
        bytes.append(UInt8(ascii: "["))
        open.append(false)
    }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        elementPrefix()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if indent { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    public mutating func string(_ value: String) {
        valuePrefix()
        Self.appendQuoted(value, to: &bytes)
    }

    public mutating func literal(_ value: String) {
        valuePrefix()
        bytes.append(contentsOf: value.utf8)
    }

    /// A byte outside the JSON structure (a document's trailing newline).
    public mutating func raw(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// A float as encoding/json writes it; null for NaN and ±Inf (`InfluxJSON`).
    public mutating func float(_ x: Double) {
        valuePrefix()
        if !GoFloat.appendJSON(x, to: &bytes) { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func integer(_ value: Int64) {
        valuePrefix()
        GoFloat.appendInteger(value, to: &bytes)
    }

    public mutating func integer(_ value: UInt64) {
        valuePrefix()
        GoFloat.appendInteger(value, to: &bytes)
    }

    private mutating func valuePrefix() {
        if afterKey {
            afterKey = false
        } else {
            elementPrefix()
        }
    }

    private mutating func elementPrefix() {
        guard let last = open.indices.last else { return }
        if open[last] { bytes.append(UInt8(ascii: ",")) }
        open[last] = true
        newline(depth: open.count)
    }

    private mutating func close(_ bracket: UInt8) {
        let hadElements = open.removeLast()
        if hadElements { newline(depth: open.count) }
        bytes.append(bracket)
    }

    private mutating func newline(depth: Int) {
        guard indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<(depth * 4) { bytes.append(UInt8(ascii: " ")) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// `s` as Go quotes it: `"`, `\` and the controls escaped (`\n`, `\r`, `\t`, else `\u00XX`),
    /// and, as Go's HTML-safe default does, `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var utf8 = s.utf8.makeIterator()
        var pending: [UInt8] = []
        while let b = utf8.next() {
            if !pending.isEmpty {
                // Inside E2 80 A8 / E2 80 A9 (U+2028, U+2029): hold bytes until decided.
                pending.append(b)
                if pending.count == 2 && b != 0x80 {
                    out.append(contentsOf: pending)
                    pending = []
                } else if pending.count == 3 {
                    if b == 0xA8 || b == 0xA9 {
                        out.append(contentsOf: Array("\\u202".utf8))
                        out.append(b == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                    } else {
                        out.append(contentsOf: pending)
                    }
                    pending = []
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            case 0xE2:
                pending = [b]
            default:
                out.append(b)
            }
        }
        out.append(contentsOf: pending)
        out.append(UInt8(ascii: "\""))
    }

    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
