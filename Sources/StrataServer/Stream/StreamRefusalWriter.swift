import NIOCore

/// Sits first in a new connection's pipeline (nearest the socket) and, when the upgrade
/// handshake refused the request, replaces the bytes of the bare 400 that NIO's upgrade
/// path leads to (`StreamUpgradeChannel.writeFailedUpgrade`) with Strata's refusal (status
/// and JSON body).
///
/// Why bytes: NIO's upgrade handler decides on the refusal while the request is still
/// being parsed, and the HTTP handlers that could answer it come later. The first write on
/// a connection is either that response, a 101, or an ordinary HTTP response: in the
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
        // The bare response (head, then an empty end) is dropped; ours goes out once.
        if replaced {
            promise?.succeed(())
        } else {
            replaced = true
            context.write(wrapOutboundOut(.byteBuffer(refusal.responseBytes())), promise: promise)
        }
    }
}
