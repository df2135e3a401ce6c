/// Asked by a scan between series whether its reader still wants the rows: a query that was
/// killed, timed out or lost its client ends within one series' decoding instead of running
/// to the end. `check` throws the reason the caller gave.
public struct ScanStop: Sendable {
    private let reason: @Sendable () -> (any Error)?

    /// `reason` returns nil while the scan should go on, else the error to end it with.
    public init(_ reason: @escaping @Sendable () -> (any Error)?) {
        self.reason = reason
    }

    public func check() throws {
        if let error = reason() { throw error }
    }
}
