import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL
import NIOWebSocket
import ServiceLifecycle

/// The server's child channel: HTTP/1.1 through Hummingbird's responder, with the
/// `/v1/stream` WebSocket upgrade served by channel handlers (`StreamSocket`), so an open
/// stream keeps no task of its own (docs/performance.md, "Live subscriptions at 10,000").
/// Around them, for each TCP connection:
/// - `ConnectionGuard` first in the pipeline: the connection table, the header timeout and
///   the answers to heads the decoder refused (docs/limits-connections.md);
/// - `StreamRefusalWriter` next, so a refused upgrade is answered with Strata's status and
///   JSON body rather than a bare 400;
/// - `HeadErrorCatcher` behind the HTTP decoder, whose limits are `maxHeaderBytes`;
/// - HummingbirdCore's idle timeout for keep-alive HTTP connections (never for WebSockets:
///   its handler is only added to connections that were not upgraded);
/// - a responder that tells the connection's slot when each request starts and ends;
/// - a graceful-shutdown hook that closes the connection at once if it is only waiting for
///   a request head. Open streams learn of the shutdown from the server's quiescing event.
struct StreamUpgradeChannel: ServerChildChannel, HTTPChannelHandler {
    enum UpgradeResult: Sendable {
        case stream
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let state: StreamChannelState
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let upgrade: StreamUpgrade
    let table: ConnectionTable
    let limits: StrataServerConfiguration.Limits
    /// Set for `--tls-cert`: TLS in front of everything, so the guard's and the refusal
    /// writer's own answers are encrypted too.
    let tls: NIOSSLContext?

    init(responder: @escaping HTTPChannelHandler.Responder, upgrade: StreamUpgrade, table: ConnectionTable,
         limits: StrataServerConfiguration.Limits, tls: NIOSSLContext? = nil) {
        self.responder = Self.tracked(Self.redirectingLateUpgrades(responder))
        self.tls = tls
        self.upgrade = upgrade
        self.table = table
        self.limits = limits
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
        let guardHandler = ConnectionGuard(slot: slot, table: table, maxHeaderBytes: limits.maxHeaderBytes)
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(StreamRefusalWriter(state: state), position: .first)
            try pipeline.addHandler(guardHandler, position: .first)
            if let tls {
                try pipeline.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            }
            let result = try pipeline.configureUpgradableHTTPServerPipeline(
                configuration: pipelineConfiguration(state: state, logger: logger))
            // Last for now, so behind the decoder and the upgrade handler; the handlers of
            // either outcome are added after it.
            try pipeline.addHandler(HeadErrorCatcher())
            return Value(upgradeResult: result, state: state, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withGracefulShutdownHandler {
            do {
                switch try await value.upgradeResult.get() {
                case .stream:
                    // Served by its handlers from here on; the server's quiescing event
                    // reaches them at shutdown.
                    return
                case .notUpgraded(let http1):
                    await handleHTTP(asyncChannel: http1, logger: logger)
                case .failedUpgrade(let http1):
                    await Self.writeFailedUpgrade(http1, logger: logger)
                }
            } catch let error as ChannelError where error == .inputClosed {
                logger.trace("connection closed before its first request")
            } catch {
                logger.debug("connection ended before a request", metadata: ["error": "\(error)"])
            }
        } onGracefulShutdown: {
            value.state.beginShutdown()
            // A connection still waiting for its first head has no request to finish, and
            // nothing else would end it before the header timeout.
            if let slot = value.state.slot, slot.beginEviction() {
                value.channel.pipeline.fireUserInboundEventTriggered(ConnectionGuardEvent.shutdown)
            }
        }
    }

    private func pipelineConfiguration(state: StreamChannelState, logger: Logger)
        -> NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>
    {
        let upgrade = self.upgrade
        let limits = self.limits
        let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
            maxFrameSize: upgrade.settings.maxMessageBytes,
            shouldUpgrade: { channel, head in
                state.upgradeAttempted = true
                return upgrade.shouldUpgrade(head, channel: channel, state: state, logger: logger)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try upgrade.openStream(channel: channel, state: state)
                    return .stream
                }
            })
        let serverUpgrade = NIOTypedHTTPServerUpgradeConfiguration<UpgradeResult>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                    try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: limits.idleTimeout, logger: logger))
                    let http1 = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    return state.upgradeAttempted ? .failedUpgrade(http1) : .notUpgraded(http1)
                }
            })
        var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: serverUpgrade)
        configuration.enablePipelining = false  // HTTP is pipelined by NIOAsyncChannel
        configuration.enableErrorHandling = false  // answered by ConnectionGuard (HeadErrorCatcher)
        configuration.enableResponseHeaderValidation = false  // Swift HTTP Types validate
        // One limit for the whole head: NIO counts the request target and every header name
        // and value against the list size, and one field can be no larger than the list.
        configuration.decoderConfiguration.maxHeaderFieldSize = limits.maxHeaderBytes
        configuration.decoderConfiguration.maxHeaderListSize = limits.maxHeaderBytes
        return configuration
    }

    /// A refused upgrade gets a bare 400 here; `StreamRefusalWriter` replaces its bytes with
    /// the refusal decided in `shouldUpgrade`.
    private static func writeFailedUpgrade(_ http1: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>,
                                           logger: Logger) async {
        do {
            try await http1.executeThenClose { _, outbound in
                let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
            }
        } catch {
            logger.trace("refused upgrade not written", metadata: ["error": "\(error)"])
        }
    }

    /// Tells the connection's slot when each request starts and ends (the header timeout
    /// and eviction depend on it).
    private static func tracked(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            let slot = ConnectionSlot.of(channel)
            slot?.requestStarted()
            defer { slot?.requestEnded() }
            try await responder(request, writer, channel)
        }
    }

    /// NIO takes an upgrade only as a connection's first request: a later request asking for
    /// one is sent back to the same URI on a new connection (307 and close), as
    /// HummingbirdWebSocket does.
    private static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder)
        -> HTTPChannelHandler.Responder
    {
        struct RedirectThenClose: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            var path = request.uri.path
            if let query = request.uri.query { path += "?\(query)" }
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect,
                                                        headerFields: [.connection: "close", .location: path]))
            throw RedirectThenClose()
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
