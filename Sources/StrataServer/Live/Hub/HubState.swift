/// What the hub's lock guards.
struct HubState: Sendable {
    /// Open connections by id, and their ids oldest first (the registry's order).
    var connections: [String: LiveConnection] = [:]
    var order: [String] = []
    var nextConnectionNumber = 1
    /// Live subscriptions grouped by shape key.
    var shapes: [String: ShapeEntry] = [:]
    var index = SubscriptionIndex()
    /// The last batch the fan-out has taken: every later batch reaches every subscription
    /// registered now. A subscription registers only once its own cursor is at or past it.
    var dispatched: UInt64
    var subscriptionCount = 0

    mutating func add(_ subscription: Subscription) {
        let shape = subscription.shape
        if shapes[shape.key] == nil {
            shapes[shape.key] = ShapeEntry(shape: shape)
            index.insert(shape)
        }
        shapes[shape.key]!.subscriptions.append(subscription)
        subscriptionCount += 1
    }
}
