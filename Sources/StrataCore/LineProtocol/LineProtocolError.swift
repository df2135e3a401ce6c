/// Why one line of a write body was rejected.
public struct LineProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number in the body.
    public var line: Int
    /// 1-based byte column in that line where the problem is.
    public var column: Int
    /// Short wording, e.g. "invalid boolean"; the full list is in docs/line-protocol.md.
    public var reason: String
    /// The offending line, truncated to 200 bytes ("…" appended if cut).
    public var text: String

    public init(line: Int, column: Int, reason: String, text: String) {
        self.line = line
        self.column = column
        self.reason = reason
        self.text = text
    }

    /// Mirrors InfluxDB's "unable to parse '<line>': <reason>" so that clients which match on
    /// it keep working, plus the position InfluxDB leaves out.
    public var description: String {
        "unable to parse '\(text)': \(reason) (line \(line), column \(column))"
    }

    static let maxTextBytes = 200

    /// `text` from the raw bytes of the line; invalid UTF-8 shows as U+FFFD.
    static func excerpt(_ line: UnsafeBufferPointer<UInt8>) -> String {
        guard line.count > maxTextBytes else { return String(decoding: line, as: UTF8.self) }
        var cut = maxTextBytes
        // Do not split a multi-byte character: back up over continuation bytes.
        while cut > 0, line[cut] & 0xC0 == 0x80 { cut -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: line[..<cut]), as: UTF8.self) + "…"
    }
}
