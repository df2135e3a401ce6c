/// One shape and the live subscriptions that have it.
struct ShapeEntry: Sendable {
    var shape: SubscriptionShape
    var subscriptions: [Subscription] = []
}
