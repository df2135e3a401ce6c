/// A message from the client (docs/websocket-protocol.md, "Client messages").
enum ClientMessage: Sendable, Equatable {
    case subscribe(SubscribeRequest)
    case unsubscribe(id: String)
    case ping
}
