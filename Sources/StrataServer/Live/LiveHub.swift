import Logging
import NIOCore
import StrataCore

/// PLACEHOLDER (issue 4 skeleton): the live subscription hub. The signatures below are the
/// contract between the hub and the WebSocket transport; the bodies are replaced.
public final class LiveHub: Sendable {
    public init(engine: StorageEngine, configuration: LiveConfiguration = LiveConfiguration(),
                metrics: StrataMetrics, logger: Logger) {}

    /// Follows the engine's change feed and fans batches out, until the task is cancelled.
    public func run() async throws {}

    /// A new WebSocket connection, after its handshake was accepted for `principal`.
    public func open(_ info: ConnectionInfo, principal: Principal) -> LiveConnection {
        LiveConnection(id: "c1")
    }

    /// The registry, oldest connection first.
    public func connections() -> [ConnectionSnapshot] { [] }
    public func connection(id: String) -> ConnectionSnapshot? { nil }
    /// Closes a connection with `reason` (sent in the close frame); false if there is none.
    @discardableResult public func close(id: String, reason: String) -> Bool { false }
}

public struct LiveConfiguration: Sendable {
    public init() {}
}

/// What the transport knows about a connection when it opens.
public struct ConnectionInfo: Sendable {
    public var remoteAddress: String
    public var userAgent: String?
    /// The subprotocol selected (`strata.v1`).
    public var subprotocol: String

    public init(remoteAddress: String, userAgent: String?, subprotocol: String) {
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.subprotocol = subprotocol
    }
}

/// One WebSocket connection's side of the hub. The transport feeds it each text message,
/// writes out whatever `nextOutbound` yields, and calls `transportClosed` when the socket
/// ends (for any reason).
public final class LiveConnection: Sendable {
    public let id: String
    init(id: String) { self.id = id }

    /// One client message (a JSON object, docs/websocket-protocol.md). Replies and data go
    /// to the outbound queue.
    public func receive(_ text: String) async {}

    /// The next message to send; `.close` ends the connection; nil once closed.
    public func nextOutbound() async -> LiveOutbound? { nil }

    public func transportClosed() {}
}

public enum LiveOutbound: Sendable {
    /// A text frame's bytes (UTF-8 JSON).
    case text(ByteBuffer)
    /// Close the connection with this WebSocket close code and reason (policy
    /// `disconnect`, a kick by an admin); codes in docs/websocket-protocol.md.
    case close(code: UInt16, reason: String)
}

/// A registry entry (`GET /v1/connections`).
public struct ConnectionSnapshot: Sendable, Encodable {
    public var id: String
}
