/// The close codes the hub sends (docs/websocket-protocol.md, "Close codes").
public enum LiveCloseCode {
    /// Policy `disconnect` and the queue was full.
    public static let slowConsumer: UInt16 = 4000
    /// `DELETE /v1/connections/{id}`.
    public static let closedByAdmin: UInt16 = 4001
    /// Policy violation: the token was revoked or expired.
    public static let policyViolation: UInt16 = 1008
    /// Going away: the server is shutting down.
    public static let goingAway: UInt16 = 1001
}
