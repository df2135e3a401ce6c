import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The server's child channel: HummingbirdWebSocket's HTTP/1.1 channel with a WebSocket
/// upgrade, plus what Strata adds around it for each TCP connection:
/// - `StreamRefusalWriter` first in the pipeline, so a refused upgrade is answered with
///   Strata's status and JSON body rather than the library's bare 400;
/// - a graceful-shutdown hook registered before the library's own, which marks the
///   connection as shutting down so `StreamCloseRewriter` sends 1001.
struct StreamUpgradeChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let inner: HTTP1WebSocketUpgradeChannel
        let innerValue: HTTP1WebSocketUpgradeChannel.Value
        let state: StreamChannelState
        var channel: any Channel { innerValue.channel }
    }

    let responder: HTTPChannelHandler.Responder
    let upgrade: StreamUpgrade

    /// The server builder for `Application(server:)`.
    static func builder(_ upgrade: StreamUpgrade) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in StreamUpgradeChannel(responder: responder, upgrade: upgrade) }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Per connection, so the upgrade decision can reach this connection's state without
        // looking it up in the pipeline.
        let state = StreamChannelState()
        let upgrade = self.upgrade
        let inner = HTTP1WebSocketUpgradeChannel(responder: responder, configuration: upgrade.channelConfiguration) {
            request, channel, logger in
            await upgrade.shouldUpgrade(request, channel: channel, state: state, logger: logger)
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(StreamRefusalWriter(state: state), position: .first)
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }.map { Value(inner: inner, innerValue: $0, state: state) }
    }

    func handle(value: Value, logger: Logger) async {
        await withGracefulShutdownHandler {
            await value.inner.handle(value: value.innerValue, logger: logger)
        } onGracefulShutdown: { [upgrade] in
            value.state.beginShutdown()
            upgrade.onShutdown.run()
        }
    }
}
