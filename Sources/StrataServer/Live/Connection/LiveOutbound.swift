import NIOCore

public enum LiveOutbound: Sendable {
    /// A text frame's bytes (UTF-8 JSON).
    case text(ByteBuffer)
    /// Close the connection with this WebSocket close code and reason (policy
    /// `disconnect`, a kick by an admin); codes in docs/websocket-protocol.md.
    case close(code: UInt16, reason: String)
}
