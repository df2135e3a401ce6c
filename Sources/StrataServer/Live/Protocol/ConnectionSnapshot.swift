/// A registry entry (`GET /v1/connections`). Times are RFC 3339 text; keys are snake_case
/// whatever the encoder's key strategy.
public struct ConnectionSnapshot: Sendable, Encodable, Equatable {
    public var id: String
    public var remoteAddress: String
    public var userAgent: String?
    /// nil on an open server.
    public var tokenID: String?
    public var connectedAt: String
    /// The last message from the client.
    public var lastActive: String
    public var subscriptions: [SubscriptionSnapshot]
    public var queuedMessages: Int
    public var queuedBytes: Int
    public var pointsSent: Int
    public var conflated: Int
    /// Messages dropped unsent when the connection was closed.
    public var dropped: Int

    enum CodingKeys: String, CodingKey {
        case id, subscriptions, conflated, dropped
        case remoteAddress = "remote_address"
        case userAgent = "user_agent"
        case tokenID = "token_id"
        case connectedAt = "connected_at"
        case lastActive = "last_active"
        case queuedMessages = "queued_messages"
        case queuedBytes = "queued_bytes"
        case pointsSent = "points_sent"
    }
}
