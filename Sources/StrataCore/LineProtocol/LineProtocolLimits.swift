/// Upper bounds one line of line protocol must respect; see docs/line-protocol.md.
public struct LineProtocolLimits: Sendable {
    /// Bytes in one line, not counting its `\n` or `\r\n` terminator.
    public var maxLineBytes = 65_536
    public var maxTags = 256
    /// Distinct field keys in one line (a repeated key counts once).
    public var maxFields = 1_024

    public init() {}
}
