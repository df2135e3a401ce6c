/// The hub's side of one WebSocket connection, as the transport uses it. `LiveConnection`
/// is the real one; transport tests substitute their own.
protocol StreamEndpoint: Sendable {
    var id: String { get }
    func receive(_ text: String) async
    func nextOutbound() async -> LiveOutbound?
    func transportClosed()
}

extension LiveConnection: StreamEndpoint {}

/// Opens the hub's side of a connection whose handshake was accepted.
typealias StreamEndpointOpener = @Sendable (ConnectionInfo, Principal) -> any StreamEndpoint
