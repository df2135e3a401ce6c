/// The hub's side of one WebSocket connection, as the transport uses it. `LiveConnection`
/// is the real one; transport tests substitute their own.
///
/// Call order: `attach` once, then `receive` for each client message while the writer pops
/// whenever the sink is told to (see `OutboundSink`), then `transportClosed` (at least once)
/// when the socket ends.
protocol StreamEndpoint: Sendable {
    var id: String { get }
    func attach(_ sink: any OutboundSink)
    func receive(_ text: String)
    /// The oldest queued message, or nil when none is. A `.close` is the last one.
    func popOutbound() -> LiveOutbound?
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
