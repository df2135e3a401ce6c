import NIOCore

/// Sits first in a new connection's pipeline (nearest the socket) and, when the upgrade
/// handshake refused the request, replaces the bytes of HummingbirdWebSocket's hard-coded
/// bare 400 with Strata's refusal (status and JSON body).
///
/// Why bytes: the library writes that 400 itself after `shouldUpgrade` declines, and its
/// upgrade outcome is internal, so the response cannot be chosen above it. The first write
/// on a connection is either that response, a 101, or an ordinary HTTP response: in the
/// latter two cases the handler steps out of the pipeline at once.
final class StreamRefusalWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let state: StreamChannelState
    private var replaced = false

    init(state: StreamChannelState) {
        self.state = state
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let refusal = state.refusal else {
            context.write(data, promise: promise)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        // The library's response (head, then an empty end) is dropped; ours goes out once.
        if replaced {
            promise?.succeed(())
        } else {
            replaced = true
            context.write(wrapOutboundOut(.byteBuffer(refusal.responseBytes())), promise: promise)
        }
    }
}
