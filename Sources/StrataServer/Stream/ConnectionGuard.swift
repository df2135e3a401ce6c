import HTTPTypes
import NIOCore
// In the graph through NIOWebSocket; Package.swift does not list it for StrataServer.
import NIOHTTP1

/// What reaches a connection's `ConnectionGuard` from elsewhere: the table evicting it, or
/// the HTTP decoder failing on its request head (`HeadErrorCatcher`).
enum ConnectionGuardEvent: Sendable {
    /// The table needs the slot (already marked closing).
    case evict
    /// The server is shutting down (the slot is already marked closing).
    case shutdown
    case malformedHead(tooLarge: Bool)
}

/// First in every connection's pipeline (nearest the socket), it enforces the connection
/// limits of docs/limits-connections.md that sit below HTTP:
/// - counts the connection in the server's `ConnectionTable`: a connection that does not
///   fit is answered 503 and closed, or makes an idle one close;
/// - the header timeout: no complete request head `headerTimeout` after accept (after the
///   first byte of a later request on a keep-alive connection) closes it, with 408 when part
///   of a head came (nothing is written to a client that sent nothing);
/// - writes 431 (head too large) or 400 (malformed head) when the decoder fails on a head;
/// - after a refusal, shuts its side down and reads (and drops) what the client still
///   sends for up to `drainTimeout`, so the refusal is not lost to a reset: closing a
///   socket with unread bytes sends RST, and the client may then never read the answer.
/// - notes a client that closed its side while a request runs (the query it runs then
///   stops; the answer is still written).
/// Once upgraded to a WebSocket it only passes bytes on.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// How long a refused connection is drained before it is dropped.
    static let drainTimeout = TimeAmount.seconds(2)

    private let slot: ConnectionSlot
    private let table: ConnectionTable
    private let maxHeaderBytes: Int
    private var admitted = false
    private var removed = false
    private var finishing = false
    /// An input-closed event went to the handlers behind (from the socket, or made here).
    private var sawInputClosed = false
    private var headerTimer: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?

    init(slot: ConnectionSlot, table: ConnectionTable, maxHeaderBytes: Int) {
        self.slot = slot
        self.table = table
        self.maxHeaderBytes = maxHeaderBytes
    }

    private var metrics: StrataMetrics { table.metrics }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        admit(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        forget()
        // Closed while no request was in flight (by us, or by a client that reset or closed
        // both ways at once): see `close(_:)`.
        if !sawInputClosed, slot.phase == .awaitingHead || slot.phase == .closing {
            sawInputClosed = true
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        forget()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's bytes are read only to be dropped.
        guard !finishing else { return }
        if let timer = slot.bytesArrived(unwrapInboundIn(data)) { arm(context, timer.deadline, generation: timer.generation) }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if finishing {
            context.read()
        } else {
            context.fireChannelReadComplete()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ConnectionGuardEvent {
            // The slot was marked closing while it waited for a head.
            guard !finishing else { return }
            let reason = switch event {
            case .shutdown: "the server is shutting down"
            default: "the server is at its connection limit"
            }
            finish(context, with: slot.sentPartialHead ? StreamRefusal(status: .requestTimeout, message:
                "\(reason) and this connection had not sent a complete request head") : nil)
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            if finishing {
                // The client read the refusal and closed its side.
                close(context)
                return
            }
            sawInputClosed = true
            // The client closed its side while its request runs. Hummingbird allows
            // half-closure, so the connection stays open until the answer is written; the
            // slot remembers it, so a running query stops (`QueryTask.watchClient`), as Go's
            // server cancels a request's context on EOF.
            if slot.phase == .busy { slot.inputClosedWhileRequestRuns() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? ConnectionGuardEvent, case .malformedHead(let tooLarge) = event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        guard !finishing else { return }
        let phase = slot.beginClosing()
        if tooLarge { metrics.refused(.headerTooLarge) }
        // Only a connection that is not in the middle of a response can be answered.
        guard phase == .awaitingHead else { return finish(context, with: nil) }
        let refusal = tooLarge
            ? StreamRefusal(status: .requestHeaderFieldsTooLarge, message:
                "request head too large: the request line and headers exceed the limit of \(maxHeaderBytes) bytes")
            : StreamRefusal(status: .badRequest, message: "malformed request head")
        finish(context, with: refusal)
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard !admitted else { return }
        admitted = true
        switch table.admit(slot) {
        case .admitted(let victim):
            if let victim {
                metrics.refused(.evicted)
                victim.channel.pipeline.fireUserInboundEventTriggered(ConnectionGuardEvent.evict)
            }
            let timer = slot.firstDeadline()
            arm(context, timer.deadline, generation: timer.generation)
        case .refused:
            metrics.refused(.maxConnections)
            slot.beginClosing()
            finish(context, with: StreamRefusal(
                status: .serviceUnavailable,
                message: "too many open connections (limit \(table.maxConnections)): try again later",
                retryAfterSeconds: 1))
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ deadline: ContinuousClock.Instant, generation: Int) {
        headerTimer?.cancel()
        let delay = max(.zero, deadline - .now)
        let seconds = delay.components
        let nanoseconds = seconds.seconds * 1_000_000_000 + seconds.attoseconds / 1_000_000_000
        headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
            self.headerTimerFired(context, generation: generation)
        }
    }

    private func headerTimerFired(_ context: ChannelHandlerContext, generation: Int) {
        headerTimer = nil
        let fired = slot.headerTimerFired(generation: generation)
        guard fired.expired, !finishing else { return }
        metrics.refused(.headerTimeout)
        let seconds = slot.headerTimeout.components.seconds
        finish(context, with: fired.sentBytes ? StreamRefusal(status: .requestTimeout, message:
            "no complete request head within \(seconds) s") : nil)
    }

    /// Answers `refusal` (if any) and closes: the write side first, the whole socket once the
    /// client closes its side or `drainTimeout` has passed.
    private func finish(_ context: ChannelHandlerContext, with refusal: StreamRefusal?) {
        guard !finishing else { return }
        finishing = true
        headerTimer?.cancel()
        headerTimer = nil
        guard let refusal else { return close(context) }
        drainTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainTimeout) {
            self.close(context)
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(refusal.responseBytes()))).assumeIsolated().whenComplete { result in
            guard case .success = result else { return self.close(context) }
            let halfClosed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: halfClosed)
            halfClosed.futureResult.assumeIsolated().whenFailure { _ in self.close(context) }
        }
        context.read()
    }

    /// Tells the handlers behind that the input ended, then closes. The HTTP upgrade handler,
    /// while it still waits for a first head, takes that as the client going away (logged at
    /// trace), where a bare close would fail its promise and be logged as an error for every
    /// connection dropped here.
    private func close(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        if !sawInputClosed {
            sawInputClosed = true
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        context.close(promise: nil)
    }

    private func forget() {
        headerTimer?.cancel()
        headerTimer = nil
        drainTimer?.cancel()
        drainTimer = nil
        if admitted, !removed {
            removed = true
            table.remove(slot)
        }
    }
}

/// Behind the HTTP decoder: turns its failure on a request head into a `malformedHead` event
/// for the `ConnectionGuard` (HummingbirdCore turns off NIO's own error handler, so a head
/// over the decoder's limits would otherwise get no answer at all). It never unwraps a
/// message, so it can stay in the pipeline after a WebSocket upgrade.
final class HeadErrorCatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            return context.fireErrorCaught(error)
        }
        context.triggerUserOutboundEvent(ConnectionGuardEvent.malformedHead(tooLarge: parserError == .headerOverflow), promise: nil)
    }
}
