/// The outcome of parsing one write body.
public struct ParsedLines: Sendable {
    public var points: [Point]
    /// Parallel to `points`: the 1-based line each point came from.
    public var lineNumbers: [Int]
    /// Every bad line, in order.
    public var errors: [LineProtocolError]

    public init(points: [Point] = [], lineNumbers: [Int] = [], errors: [LineProtocolError] = []) {
        self.points = points
        self.lineNumbers = lineNumbers
        self.errors = errors
    }
}
