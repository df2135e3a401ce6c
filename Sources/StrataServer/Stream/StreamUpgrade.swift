import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Decides each upgrade request to the server and runs the accepted ones
/// (docs/http-api.md, "Live stream"). Logs no request header: tokens ride there.
struct StreamUpgrade: Sendable {
    typealias Handler = WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>

    let authenticator: Authenticator
    let open: StreamEndpointOpener
    let watchdog: StreamWatchdog
    /// Runs once, at the first connection's graceful-shutdown hook: the hub's `closeAll`,
    /// so it queues 1001 to every connection and stops fanning out to them.
    let onShutdown: StreamShutdownOnce
    /// Open connections per token (`StreamSettings.maxConnectionsPerToken`).
    let tokenConnections: TokenConnections
    let metrics: StrataMetrics
    let logger: Logger

    var settings: StreamSettings { watchdog.settings }

    var channelConfiguration: HTTP1WebSocketUpgradeChannel.Configuration {
        .init(ws: .init(
            maxFrameSize: settings.maxMessageBytes, autoPing: .enabled(timePeriod: settings.pingInterval),
            closeTimeout: settings.closeTimeout, validateUTF8: true))
    }

    /// Never throws: a refusal is recorded in `state` for `StreamRefusalWriter`, and the
    /// library is told not to upgrade.
    func shouldUpgrade(_ request: HTTPRequest, channel: any Channel, state: StreamChannelState, logger: Logger)
        async -> ShouldUpgradeResult<Handler>
    {
        // The head is complete: the header timeout no longer applies.
        state.slot?.requestStarted()
        let path = Self.pathWithoutQuery(request.path)
        guard path == StreamHandshake.path else {
            state.refusal = StreamRefusal(status: .notFound, message: "no WebSocket endpoint at this path: the live stream is \(StreamHandshake.path)")
            return .dontUpgrade
        }
        let remote = Self.describe(channel.remoteAddress)
        switch StreamHandshake.decide(request.headerFields, authenticator: authenticator) {
        case .refuse(let refusal):
            state.refusal = refusal
            logger.info("stream upgrade refused", metadata: [
                "status": "\(refusal.status.code)", "reason": .string(refusal.message), "remote": .string(remote),
            ])
            return .dontUpgrade
        case .accept(let principal, let subprotocol):
            if let token = principal.tokenID, !tokenConnections.reserve(token, until: channel) {
                metrics.refused(.tokenConnections)
                let refusal = StreamRefusal(status: .tooManyRequests, message:
                    "this token already has \(tokenConnections.limit) open stream connections (the limit per token): close one first",
                    retryAfterSeconds: 1)
                state.refusal = refusal
                logger.info("stream upgrade refused", metadata: [
                    "status": "\(refusal.status.code)", "reason": "token connection limit", "remote": .string(remote),
                ])
                return .dontUpgrade
            }
            let info = ConnectionInfo(remoteAddress: remote, userAgent: request.headerFields[.userAgent],
                                      subprotocol: subprotocol == StreamHandshake.subprotocol ? subprotocol : "token")
            return .upgrade([.secWebSocketProtocol: subprotocol]) { inbound, outbound, _ in
                try await self.serve(inbound, outbound, channel: channel, state: state, info: info, principal: principal)
            }
        }
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, channel: any Channel,
                       state: StreamChannelState, info: ConnectionInfo, principal: Principal) async throws {
        try await Self.installCloseRewriter(channel: channel, state: state)
        // From here the stream's pings and stall watchdog govern the connection.
        state.slot?.upgraded()
        let endpoint = open(info, principal)
        let writes = watchdog.register(channel: channel, state: state, closing: { endpoint.isClosing })
        defer { watchdog.unregister(writes) }
        logger.debug("stream opened", metadata: ["connection": .string(endpoint.id), "remote": .string(info.remoteAddress)])
        defer {
            logger.debug("stream closed", metadata: ["connection": .string(endpoint.id)])
            if let connection = endpoint as? LiveConnection { TokenSubscriptions.shared.forget(connection) }
        }
        try await StreamSession(endpoint: endpoint, writes: writes, settings: settings, logger: logger)
            .run(inbound: inbound, outbound: outbound, channel: channel)
    }

    /// Between the frame encoder and the frames the library writes, so it sees every close frame.
    private static func installCloseRewriter(channel: any Channel, state: StreamChannelState) async throws {
        try await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
            try pipeline.addHandler(StreamCloseRewriter(state: state), position: .after(encoder))
        }.get()
    }

    static func pathWithoutQuery(_ path: String?) -> String {
        guard let path else { return "" }
        return String(path.prefix { $0 != "?" })
    }

    /// `127.0.0.1:54321`, `[::1]:54321`.
    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return address.map { "\($0)" } ?? "unknown" }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return address.port.map { "\(host):\($0)" } ?? host
    }
}
