/// One latency run (one subscriber count), as written to the JSON results file.
struct LatencyResult: Codable, Sendable {
    var subscribers: Int
    var stalledSubscribers: Int
    var robots: Int
    var pointsPerSecondPerRobot: Int
    var warmupSeconds: Int
    var measuredSeconds: Int
    /// Received − the writer's 204, in µs (negative: delivered before the 204 reached the writer).
    var latencyFromAckMicros: Percentiles
    /// Received − request sent, in µs.
    var latencyFromSendMicros: Percentiles
    /// The writes' own round trip (204 − sent), in µs.
    var writeRoundTripMicros: Percentiles
    var deliveredBeforeAck: Int
    var expectedDeliveries: Int
    var delivered: Int
    var missing: Int
    var duplicates: Int
    var unexpected: Int
    var conflatedMessages: Int
    var pointsAcked: Int
    var ingestPointsPerSecond: Double
    var writeFailures: Int
    var firstWriteFailure: String?
    var lateTicks: Int
    var serverCPUPercent: Double?
    var clientCPUPercent: Double
    var loadAverageBefore: String
    var loadAverageAfter: String
    var subscriberErrors: [String]
    var stalledReceivedPoints: Int?
}
