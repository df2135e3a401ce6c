import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Logging
import NIOCore
import NIOWebSocket

/// Decides each upgrade request to the server and runs the accepted ones
/// (docs/http-api.md, "Live stream"). Logs no request header: tokens ride there.
struct StreamUpgrade: Sendable {
    let authenticator: Authenticator
    let open: StreamEndpointOpener
    let watchdog: StreamWatchdog
    /// Runs once, at the first open stream's shutdown (the server's quiescing event): the hub's `closeAll`,
    /// so it queues 1001 to every connection and stops fanning out to them.
    let onShutdown: StreamShutdownOnce
    /// Open connections per token (`StreamSettings.maxConnectionsPerToken`).
    let tokenConnections: TokenConnections
    let metrics: StrataMetrics
    let logger: Logger

    var settings: StreamSettings { watchdog.settings }

    /// What an accepted upgrade opens once the 101 is sent.
    struct Accepted: Sendable {
        let info: ConnectionInfo
        let principal: Principal
    }

    /// Decides the upgrade; nil headers refuse it, with the refusal recorded in `state` for
    /// `StreamRefusalWriter`. Never fails.
    func shouldUpgrade(_ head: HTTPRequestHead, channel: any Channel, state: StreamChannelState, logger: Logger)
        -> EventLoopFuture<HTTPHeaders?>
    {
        // The head is complete: the header timeout no longer applies.
        state.slot?.requestStarted()
        let headers: HTTPHeaders?
        do {
            let request = try HTTPRequest(head, secure: false, splitCookie: false)
            headers = decide(request, channel: channel, state: state, logger: logger)
        } catch {
            state.refusal = StreamRefusal(status: .badRequest, message: "malformed upgrade request: \(error)")
            headers = nil
        }
        return channel.eventLoop.makeSucceededFuture(headers)
    }

    private func decide(_ request: HTTPRequest, channel: any Channel, state: StreamChannelState, logger: Logger)
        -> HTTPHeaders?
    {
        let path = Self.pathWithoutQuery(request.path)
        guard path == StreamHandshake.path else {
            state.refusal = StreamRefusal(status: .notFound, message: "no WebSocket endpoint at this path: the live stream is \(StreamHandshake.path)")
            return nil
        }
        let remote = Self.describe(channel.remoteAddress)
        switch StreamHandshake.decide(request.headerFields, authenticator: authenticator) {
        case .refuse(let refusal):
            state.refusal = refusal
            logger.info("stream upgrade refused", metadata: [
                "status": "\(refusal.status.code)", "reason": .string(refusal.message), "remote": .string(remote),
            ])
            return nil
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
                return nil
            }
            let info = ConnectionInfo(remoteAddress: remote, userAgent: request.headerFields[.userAgent],
                                      subprotocol: subprotocol == StreamHandshake.subprotocol ? subprotocol : "token")
            state.accepted.withLock { $0 = Accepted(info: info, principal: principal) }
            return HTTPHeaders([("Sec-WebSocket-Protocol", subprotocol)])
        }
    }

    /// After the 101: the WebSocket's handlers, on the channel's event loop. From here the
    /// stream's pings and stall watchdog govern the connection.
    func openStream(channel: any Channel, state: StreamChannelState) throws {
        guard let accepted = state.accepted.withLock({ $0 }) else {
            // NIO opens only what `shouldUpgrade` accepted; closing is the safe answer anyway.
            throw ChannelError.inappropriateOperationForState
        }
        state.slot?.upgraded()
        let endpoint = open(accepted.info, accepted.principal)
        let writes = watchdog.register(channel: channel, state: state, closing: { endpoint.isClosing })
        let socket = StreamSocket(endpoint: endpoint, writes: writes, watchdog: watchdog, state: state,
                                  onShutdown: onShutdown, logger: logger)
        do {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: Self.maxFragments,
                maxAccumulatedFrameSize: settings.maxMessageBytes))
            try pipeline.addHandler(socket)
            try socket.installWriter(pipeline)
        } catch {
            // The channel closed under the upgrade: the hub must not keep the connection.
            watchdog.unregister(writes)
            endpoint.transportClosed()
            throw error
        }
        logger.debug("stream opened", metadata: ["connection": .string(endpoint.id), "remote": .string(accepted.info.remoteAddress)])
    }

    /// Fragments one client message may come in. 1,024: a browser sends one frame per
    /// message; a client splitting a 64 KiB message into 64-byte pieces still fits.
    static let maxFragments = 1_024

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
