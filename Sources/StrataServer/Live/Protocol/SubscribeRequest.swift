/// A parsed `subscribe` message (docs/websocket-protocol.md).
struct SubscribeRequest: Sendable, Equatable {
    var id: String
    var database: String
    var measurement: String
    /// Tag → condition, ANDed; empty: every series of the measurement.
    var filter: [String: TagCondition] = [:]
    /// nil: every field.
    var fields: [String]?
    var start: StartPosition = .now
    /// Window length (ns) of an aggregate subscription; nil for raw points.
    var every: Int64?
    var aggregates: [LiveAggregate] = []
    /// How long after a window's end it is pushed (ns).
    var grace: Int64?
    var policy: SlowConsumerPolicy = .conflate
    var timeFormat: TimeFormat = .ns
}
