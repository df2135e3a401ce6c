/// What the transport knows about a connection when it opens.
public struct ConnectionInfo: Sendable {
    public var remoteAddress: String
    public var userAgent: String?
    /// The subprotocol selected: `strata.v1`, or `token` for a client that offered a bare
    /// token alone (the token itself is never kept here: /v1/connections shows this).
    public var subprotocol: String

    public init(remoteAddress: String, userAgent: String?, subprotocol: String) {
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.subprotocol = subprotocol
    }
}
