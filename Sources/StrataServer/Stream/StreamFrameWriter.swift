import NIOCore
import NIOWebSocket

/// Writes a connection's queued messages to its socket from the channel's event loop,
/// as text frames, with one flush per drain (docs/performance.md, "Live subscriptions").
///
/// Why not an async writer: at 10,000 subscribers a writer task per connection (through
/// HummingbirdWebSocket's async writer), resumed for every message and hopping to the event
/// loop for every frame, cost ~48 µs of CPU per delivered message. Here the hub's wake-up is one `execute` on the loop, and the
/// frames go down the pipeline directly.
///
/// Backpressure: frames are popped only while the channel is writable, so a client that
/// reads slowly leaves its messages in the hub's queue, whose bounds and slow-consumer
/// policy then apply; the watchdog is told how long the socket has been full. A popped
/// `.close` goes to `close` (`StreamSocket.sendClose`); nothing is written after it.
///
/// Placed right after the frame encoder, so its frames are encoded and no other handler
/// sees them.
final class StreamFrameWriter: ChannelInboundHandler, RemovableChannelHandler {
    // Between the encoder and the frame decoder, so reads are still bytes; they pass through.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private let endpoint: any StreamEndpoint
    private let writes: StreamWatchdog.Writes
    private let close: (UInt16, String) -> Void
    private var context: ChannelHandlerContext?
    private var draining = false
    private var drainAgain = false
    private var closed = false

    init(endpoint: any StreamEndpoint, writes: StreamWatchdog.Writes, close: @escaping (UInt16, String) -> Void) {
        self.endpoint = endpoint
        self.writes = writes
        self.close = close
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { drain() }
    }

    /// Writes queued messages until the queue is empty or the channel is full. Re-entered
    /// from a flush that makes the channel writable again, it only asks for one more round.
    func drain() {
        guard let context, !closed else { return }
        if draining {
            drainAgain = true
            return
        }
        draining = true
        defer { draining = false }
        var blocked = false
        repeat {
            drainAgain = false
            var wrote = false
            while true {
                guard context.channel.isWritable else {
                    blocked = true
                    break
                }
                guard let item = endpoint.popOutbound() else {
                    blocked = false
                    break
                }
                switch item {
                case .text(let buffer):
                    context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
                    wrote = true
                case .close(let code, let reason):
                    closed = true
                    if wrote { context.flush() }
                    writes.markFlowing()
                    close(code, reason)
                    return
                }
            }
            if wrote { context.flush() }
        } while drainAgain
        if blocked { writes.markBlocked() } else { writes.markFlowing() }
    }

    /// Writes nothing more (a close was sent, or the socket ended).
    func stop() {
        closed = true
    }

    /// What the endpoint rings when it queues a message.
    func sink(on eventLoop: any EventLoop) -> any OutboundSink {
        Sink(eventLoop: eventLoop, writer: NIOLoopBound(self, eventLoop: eventLoop))
    }

    /// The hub's side of the writer: a wake-up is one task on the channel's event loop.
    private final class Sink: OutboundSink {
        let eventLoop: any EventLoop
        let writer: NIOLoopBound<StreamFrameWriter>

        init(eventLoop: any EventLoop, writer: NIOLoopBound<StreamFrameWriter>) {
            self.eventLoop = eventLoop
            self.writer = writer
        }

        func outboundReady() {
            eventLoop.execute { self.writer.value.drain() }
        }
    }
}
