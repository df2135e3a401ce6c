/// How the `/v1/stream` WebSocket transport treats its connections (docs/http-api.md,
/// "Live stream"). Every default says where its number comes from.
public struct StreamSettings: Sendable {
    /// Largest client message (a frame, or a fragmented message reassembled), in bytes;
    /// larger ones close the connection with 1009. 64 KiB: a subscribe naming a thousand
    /// device ids is about 20 KiB, and the bound caps what one client can make the server
    /// buffer.
    public var maxMessageBytes: Int
    /// A ping goes out this often; a connection whose pong has not come back by the next
    /// ping is closed (1001 "Ping timeout"), so a dead peer is dropped within two periods.
    /// 30 s: under the 60 s idle timeout of common proxies (nginx's proxy_read_timeout),
    /// so an idle subscription survives them.
    public var pingInterval: Duration
    /// How long a close handshake may take (our close frame to the client's answer, also on
    /// shutdown) before the socket is dropped. 5 s: a live client answers within a round trip.
    public var closeTimeout: Duration
    /// A client whose socket accepts no bytes for this long while a message waits to go out
    /// is dead to us: its TCP connection is dropped. 30 s: what a slow mobile link may
    /// stall; the hub's own queue bound and policy act long before (docs/websocket-protocol.md).
    public var stallTimeout: Duration
    /// Open `/v1/stream` connections one token may hold; one more is refused with 429 before
    /// the upgrade. 0: no limit. Connections of an open server (no tokens) are not counted
    /// per token: only the server's `maxConnections` bounds them. 100: a dashboard opens one
    /// per browser tab and a robot fleet's backend a handful, while one leaked or hostile
    /// token can no longer take the whole connection table.
    public var maxConnectionsPerToken: Int

    public init(maxMessageBytes: Int = 64 << 10, pingInterval: Duration = .seconds(30),
                closeTimeout: Duration = .seconds(5), stallTimeout: Duration = .seconds(30),
                maxConnectionsPerToken: Int = 100) {
        self.maxMessageBytes = maxMessageBytes
        self.pingInterval = pingInterval
        self.closeTimeout = closeTimeout
        self.stallTimeout = stallTimeout
        self.maxConnectionsPerToken = maxConnectionsPerToken
    }
}
