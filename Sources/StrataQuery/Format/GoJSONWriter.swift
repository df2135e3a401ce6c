/// Writes JSON the way Go's encoding/json does, so /query bodies match InfluxDB's byte for
/// byte: compact like `json.Marshal`, or indented like `json.MarshalIndent(v, "", "    ")`
/// (each element on its own line, `"key": value`, empty containers as `[]` and `{}`).
///
/// A streaming writer rather than a value tree: a 10,000-row chunk is written straight into
/// one string, with no intermediate objects per cell.
public struct GoJSONWriter {
    public private(set) var text = ""
    private let indent: String?
    /// One entry per open container: whether it has an element yet.
    private var open: [Bool] = []
    private var afterKey = false

    public init(pretty: Bool = false, capacity: Int = 256) {
        indent = pretty ? "    " : nil
        text.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        valuePrefix()
        text += "{"
        open.append(false)
    }

    public mutating func endObject() { close("}") }

    public mutating func beginArray() {
        valuePrefix()
        text += "["
        open.append(false)
    }

    public mutating func endArray() { close("]") }

    public mutating func key(_ name: String) {
        elementPrefix()
        Self.appendQuoted(name, to: &text)
        text += indent == nil ? ":" : ": "
        afterKey = true
    }

    public mutating func string(_ value: String) {
        valuePrefix()
        Self.appendQuoted(value, to: &text)
    }

    /// An already-encoded value: a number, `true`, `false`, `null`.
    public mutating func literal(_ value: String) {
        valuePrefix()
        text += value
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
        if open[last] { text += "," }
        open[last] = true
        newline(depth: open.count)
    }

    private mutating func close(_ bracket: String) {
        let hadElements = open.removeLast()
        if hadElements { newline(depth: open.count) }
        text += bracket
    }

    private mutating func newline(depth: Int) {
        guard let indent else { return }
        text += "\n"
        for _ in 0..<depth { text += indent }
    }

    private static let hex = Array("0123456789abcdef".unicodeScalars)

    /// Go's `encodeState.string` with HTML escaping on (json.Marshal's default): `<`, `>`, `&`
    /// and U+2028/U+2029 become `\u` escapes so the text is safe inside HTML and JavaScript.
    /// Control characters other than \n, \r, \t are `\u00XX`, \b and \f included: that is
    /// what the Go releases InfluxDB 1.8 was built with wrote (Go 1.22 added `\b`, `\f`).
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        var plainStart = s.unicodeScalars.startIndex
        var i = plainStart
        let scalars = s.unicodeScalars
        while i != scalars.endIndex {
            let c = scalars[i]
            let v = c.value
            let needsEscape = v < 0x20 || c == "\"" || c == "\\" || c == "<" || c == ">" || c == "&"
                || v == 0x2028 || v == 0x2029
            if needsEscape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<i])
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    out += "\\u"
                    for shift in stride(from: 12, through: 0, by: -4) {
                        out.unicodeScalars.append(hex[Int((v >> UInt32(shift)) & 0xF)])
                    }
                }
                plainStart = scalars.index(after: i)
            }
            i = scalars.index(after: i)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart...])
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }
}
