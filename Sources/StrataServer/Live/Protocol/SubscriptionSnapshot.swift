/// One subscription in a registry entry.
public struct SubscriptionSnapshot: Sendable, Encodable, Equatable {
    public var id: String
    public var db: String
    public var measurement: String
    /// The `where` as the client sent it (JSON text), with the token's allowlist applied.
    public var filter: String
    /// nil: every field.
    public var fields: [String]?
    /// `now`, `time:<ns>`, `seq:<n>`, `seq:<n>,time:<ns>` or `last:<n>`.
    public var start: String
    public var policy: String
    /// The window length (e.g. `1s`) of an aggregate subscription.
    public var every: String?
    public var aggregates: [String]?
    /// `history` or `live`.
    public var phase: String
    /// The last sequence its messages reflect.
    public var position: UInt64
    public var pointsSent: Int
    public var conflated: Int

    enum CodingKeys: String, CodingKey {
        case id, db, measurement, filter, fields, start, policy, every, aggregates, phase, position, conflated
        case pointsSent = "points_sent"
    }
}
