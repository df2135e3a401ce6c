import Logging
import NIOCore
import NIOWebSocket

/// One `/v1/stream` connection after its upgrade, served on its event loop with no task of
/// its own (docs/performance.md, "Live subscriptions at 10,000"): client messages go to the
/// hub's endpoint, control frames are answered here, and `StreamFrameWriter` writes what the
/// endpoint queues. It runs the WebSocket rules the protocol relies on
/// (docs/websocket-protocol.md, RFC 6455):
/// - text messages (reassembled by NIO's `NIOWebSocketFrameAggregator` in front of it, at
///   most `maxMessageBytes`) must be UTF-8 (else 1007); binary ones close with 1003; too
///   large, 1009;
/// - pings are answered with pongs; a ping goes out every `pingInterval`, and a peer whose
///   pong has not come back by the next one is closed with 1001 "Ping timeout";
/// - a close from the client is echoed, then the socket closes; a close from the hub (or a
///   shutdown's 1001) is sent once, and the socket closes at the client's answer or after
///   `closeTimeout`;
/// - when the server shuts down (its quiescing event) the connection is closed with 1001.
final class StreamSocket: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let binaryRefusal = "binary messages are not accepted: send JSON text messages"
    static let shutdownReason = "server shutting down"
    static let pingTimeoutReason = "Ping timeout"

    private let endpoint: any StreamEndpoint
    private let writes: StreamWatchdog.Writes
    private let watchdog: StreamWatchdog
    private let state: StreamChannelState
    private let onShutdown: StreamShutdownOnce
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var writer: StreamFrameWriter?
    private var sentClose = false
    private var awaitingPong = false
    private var pingsSent: UInt64 = 0
    private var pingTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var ended = false

    init(endpoint: any StreamEndpoint, writes: StreamWatchdog.Writes, watchdog: StreamWatchdog,
         state: StreamChannelState, onShutdown: StreamShutdownOnce, logger: Logger) {
        self.endpoint = endpoint
        self.writes = writes
        self.watchdog = watchdog
        self.state = state
        self.onShutdown = onShutdown
        self.logger = logger
    }

    private var settings: StreamSettings { watchdog.settings }

    /// Adds the writer right after the frame encoder and attaches it to the endpoint.
    func installWriter(_ pipeline: ChannelPipeline.SynchronousOperations) throws {
        let writer = StreamFrameWriter(endpoint: endpoint, writes: writes) { [unowned self] code, reason in
            self.sendClose(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
        }
        self.writer = writer
        let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
        try pipeline.addHandler(writer, position: .after(encoder))
        guard let context else { return }
        endpoint.attach(writer.sink(on: context.eventLoop))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        schedulePing(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            receivedClose(frame, context)
        case _ where sentClose:
            // Closing: only the client's close matters now.
            return
        case .text:
            guard let text = String(validating: frame.unmaskedData.readableBytesView, as: UTF8.self) else {
                return sendClose(.dataInconsistentWithMessage, reason: "text message is not valid UTF-8")
            }
            endpoint.receive(text)
        case .binary:
            sendClose(.unacceptableData, reason: Self.binaryRefusal)
        case .ping:
            guard frame.fin else {
                return sendClose(.protocolError, reason: "fragmented ping")
            }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)),
                                  promise: nil)
        case .pong:
            awaitingPong = false
        default:
            sendClose(.protocolError, reason: "unexpected frame")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketFrameAggregator.Error {
            // A message over the bound, or one split into too many pieces.
            let code: WebSocketErrorCode = error == .accumulatedFrameSizeIsTooLarge || error == .tooManyFragments
                ? .messageTooLarge : .protocolError
            return sendClose(code, reason: "\(error)")
        }
        // Frame decoding errors were answered by NIO's protocol error handler, which closes
        // the socket; anything else (I/O) ends the connection too.
        if !(error is NIOWebSocketError) { context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            state.beginShutdown()
            onShutdown.run()
            return sendClose(.goingAway, reason: Self.shutdownReason)
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client closed its side without a close frame: nothing more will be read.
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Sends the one close frame of this side and stops the writer; the socket closes at the
    /// client's answer or after `closeTimeout`. Nothing is written after it.
    func sendClose(_ code: WebSocketErrorCode, reason: String) {
        guard !sentClose, let context else { return }
        sentClose = true
        writer?.stop()
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.write(webSocketErrorCode: code)
        payload.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)),
                              promise: nil)
        closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: StreamUpgradeChannel.timeAmount(settings.closeTimeout)) {
            self.context?.close(promise: nil)
        }
    }

    /// The client's close: the answer to ours (the handshake is over), or its own, echoed.
    private func receivedClose(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        if !sentClose {
            sentClose = true
            writer?.stop()
            var data = frame.unmaskedData
            let code = Self.echoable(data.readInteger(as: UInt16.self))
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: code)
            let echo = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
            context.writeAndFlush(wrapOutboundOut(echo)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        context.close(promise: nil)
    }

    /// The client's close code to echo: codes a peer may not send on the wire (1005, 1006,
    /// 1015; RFC 6455 §7.4.1) and an empty close become 1000.
    static func echoable(_ number: UInt16?) -> WebSocketErrorCode {
        guard let number, (1000...4999).contains(number), ![1004, 1005, 1006, 1015].contains(number) else {
            return .normalClosure
        }
        return WebSocketErrorCode(codeNumber: Int(number))
    }

    private func schedulePing(_ context: ChannelHandlerContext) {
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: StreamUpgradeChannel.timeAmount(settings.pingInterval)) {
            self.pingTimerFired()
        }
    }

    private func pingTimerFired() {
        guard let context, !sentClose else { return }
        if awaitingPong {
            sendClose(.goingAway, reason: Self.pingTimeoutReason)
            context.close(promise: nil)
            return
        }
        awaitingPong = true
        pingsSent += 1
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(pingsSent)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: payload)), promise: nil)
        schedulePing(context)
    }

    /// Once, however the connection ended.
    private func end() {
        guard !ended else { return }
        ended = true
        pingTimer?.cancel()
        closeTimer?.cancel()
        writer?.stop()
        watchdog.unregister(writes)
        endpoint.transportClosed()
        if let connection = endpoint as? LiveConnection { TokenSubscriptions.shared.forget(connection) }
        logger.debug("stream closed", metadata: ["connection": .string(endpoint.id)])
    }
}
