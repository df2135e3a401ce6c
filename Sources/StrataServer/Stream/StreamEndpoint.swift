/// The hub's side of one WebSocket connection, as the transport uses it. `LiveConnection`
/// is the real one; transport tests substitute their own.
protocol StreamEndpoint: Sendable {
    var id: String { get }
    func receive(_ text: String) async
    func nextOutbound() async -> LiveOutbound?
    func transportClosed()
    /// Whether the hub has queued a close (admin kick, slow consumer, revoked token): a
    /// write stalled behind it then waits `closeTimeout`, not `stallTimeout`.
    var isClosing: Bool { get }
}

extension StreamEndpoint {
    var isClosing: Bool { false }
}

extension LiveConnection: StreamEndpoint {
    var isClosing: Bool { state.withLock { $0.closing } }
}

/// Opens the hub's side of a connection whose handshake was accepted.
typealias StreamEndpointOpener = @Sendable (ConnectionInfo, Principal) -> any StreamEndpoint
