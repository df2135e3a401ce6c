/// What a connection hands back to the hub and wakes once its lock is released.
struct Released: Sendable {
    var handoff: Handoff?
    var registrations: [Subscription] = []
    var tasks: [Task<Void, Never>] = []
    var spaceWaiters: [CheckedContinuation<Void, Never>] = []

    mutating func merge(_ other: Released) {
        if handoff == nil { handoff = other.handoff }
        registrations += other.registrations
        tasks += other.tasks
        spaceWaiters += other.spaceWaiters
    }
}
