/// What `StorageEngine.write` did with a batch.
public struct WriteResult: Sendable, Equatable {
    /// The WAL sequence number the accepted points were committed under; nil when no point
    /// was accepted (nothing was written).
    public var sequence: UInt64?
    /// Points accepted and durable.
    public var accepted: Int
    /// Points refused, each with why (a field type conflict, ...); the others were written.
    public var rejected: [PointRejection]

    public init(sequence: UInt64?, accepted: Int, rejected: [PointRejection]) {
        self.sequence = sequence
        self.accepted = accepted
        self.rejected = rejected
    }
}

/// A point that the engine refused, by its index in the batch.
public struct PointRejection: Sendable, Equatable {
    public var index: Int
    /// InfluxDB's wording, e.g. `field type conflict: input field "x" on measurement "robot"
    /// is type integer, already exists as type float`.
    public var reason: String

    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}
