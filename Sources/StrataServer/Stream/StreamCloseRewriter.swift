import NIOCore
import NIOWebSocket

/// Gives the close frame a WebSocket gets when the server shuts down the code 1001
/// ("going away", docs/websocket-protocol.md) instead of the library's 1000.
///
/// HummingbirdWebSocket answers a graceful shutdown by closing every socket with 1000 from
/// a task of its own; Strata's shutdown hook for the connection runs before that task
/// (it is registered first) and sets the flag this handler reads, so the rewrite cannot
/// race. Close frames with any other code (a kick's 4001, a slow consumer's 4000) pass.
final class StreamCloseRewriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let shutdownReason = "server shutting down"
    private let state: StreamChannelState

    init(state: StreamChannelState) {
        self.state = state
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        guard frame.opcode == .connectionClose, state.isShuttingDown, Self.isNormalClosure(frame) else {
            context.write(data, promise: promise)
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 2 + Self.shutdownReason.utf8.count)
        payload.write(webSocketErrorCode: .goingAway)
        payload.writeString(Self.shutdownReason)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)), promise: promise)
    }

    private static func isNormalClosure(_ frame: WebSocketFrame) -> Bool {
        var data = frame.unmaskedData
        guard let code = data.readInteger(as: UInt16.self) else { return true }
        return code == 1000
    }
}
