/// An `every` subscription's windows.
struct WindowSpec: Sendable, Equatable {
    var every: Int64
    var aggregates: [LiveAggregate]
    var grace: Int64
}
