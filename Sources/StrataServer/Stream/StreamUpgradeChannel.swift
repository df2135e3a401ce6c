import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The server's child channel: HummingbirdWebSocket's HTTP/1.1 channel with a WebSocket
/// upgrade, plus what Strata adds around it for each TCP connection:
/// - `ConnectionGuard` first in the pipeline: the connection table, the header timeout and
///   the answers to heads the decoder refused (docs/limits-connections.md);
/// - `StreamRefusalWriter` next, so a refused upgrade is answered with Strata's status and
///   JSON body rather than the library's bare 400;
/// - `HeadErrorCatcher` behind the HTTP decoder, whose limits are `maxHeaderBytes`;
/// - HummingbirdCore's idle timeout for keep-alive HTTP connections (never for WebSockets:
///   its handler is only added to connections that were not upgraded);
/// - a responder that tells the connection's slot when each request starts and ends;
/// - a graceful-shutdown hook registered before the library's own, which marks the
///   connection as shutting down so `StreamCloseRewriter` sends 1001, and closes it at once
///   if it is only waiting for a request head.
struct StreamUpgradeChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let inner: HTTP1WebSocketUpgradeChannel
        let innerValue: HTTP1WebSocketUpgradeChannel.Value
        let state: StreamChannelState
        var channel: any Channel { innerValue.channel }
    }

    let responder: HTTPChannelHandler.Responder
    let upgrade: StreamUpgrade
    let table: ConnectionTable
    let limits: StrataServerConfiguration.Limits
    let configuration: HTTP1WebSocketUpgradeChannel.Configuration
    /// Set for `--tls-cert`: TLS in front of everything, so the guard's and the refusal
    /// writer's own answers are encrypted too.
    let tls: NIOSSLContext?

    init(responder: @escaping HTTPChannelHandler.Responder, upgrade: StreamUpgrade, table: ConnectionTable,
         limits: StrataServerConfiguration.Limits, tls: NIOSSLContext? = nil) {
        self.responder = responder
        self.tls = tls
        self.upgrade = upgrade
        self.table = table
        self.limits = limits
        // One limit for the whole head: NIO counts the request target and every header name
        // and value against the list size, and one field can be no larger than the list.
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: limits.idleTimeout.map { Self.timeAmount($0) }, httpDecoderConfiguration: decoder)
        configuration = .init(http1: http1, ws: upgrade.channelConfiguration.ws)
    }

    /// The server builder for `Application(server:)`.
    static func builder(_ upgrade: StreamUpgrade, table: ConnectionTable, limits: StrataServerConfiguration.Limits,
                        tls: NIOSSLContext? = nil) -> HTTPServerBuilder
    {
        HTTPServerBuilder { responder in
            StreamUpgradeChannel(responder: responder, upgrade: upgrade, table: table, limits: limits, tls: tls)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Per connection, so the upgrade decision and the responder can reach this
        // connection's state without looking it up in the pipeline.
        let slot = ConnectionSlot(channel: channel, headerTimeout: limits.headerTimeout)
        let state = StreamChannelState(slot: slot)
        let upgrade = self.upgrade
        let responder = self.responder
        let tracked: HTTPChannelHandler.Responder = { request, writer, channel in
            slot.requestStarted()
            defer { slot.requestEnded() }
            try await responder(request, writer, channel)
        }
        let inner = HTTP1WebSocketUpgradeChannel(responder: tracked, configuration: configuration) {
            request, channel, logger in
            await upgrade.shouldUpgrade(request, channel: channel, state: state, logger: logger)
        }
        let guardHandler = ConnectionGuard(slot: slot, table: table, maxHeaderBytes: limits.maxHeaderBytes)
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(StreamRefusalWriter(state: state), position: .first)
            try pipeline.addHandler(guardHandler, position: .first)
            if let tls {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            }
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }.flatMapThrowing { innerValue in
            // Last for now, so behind the decoder and the upgrade handler; the handlers of
            // either outcome are added after it.
            try channel.pipeline.syncOperations.addHandler(HeadErrorCatcher())
            return Value(inner: inner, innerValue: innerValue, state: state)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withGracefulShutdownHandler {
            await value.inner.handle(value: value.innerValue, logger: logger)
        } onGracefulShutdown: { [upgrade] in
            value.state.beginShutdown()
            upgrade.onShutdown.run()
            // A connection still waiting for its first head has no request to finish, and
            // nothing in the library would end it before the header timeout.
            if let slot = value.state.slot, slot.beginEviction() {
                value.channel.pipeline.fireUserInboundEventTriggered(ConnectionGuardEvent.shutdown)
            }
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
