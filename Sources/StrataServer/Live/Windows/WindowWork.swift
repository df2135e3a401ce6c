/// Windows of one subscription the window loop computes and pushes in one step.
struct WindowWork: Sendable {
    var id: String
    var shape: SubscriptionShape
    var spec: WindowSpec
    var format: TimeFormat
    /// Newly closed windows (starts in this range).
    var closed: Range<Int64>
    /// Windows already pushed that late points changed.
    var corrections: [Int64]
    var overflowed: Bool
}
