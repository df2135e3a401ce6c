/// The idle-connection memory run, as written to the JSON results file.
struct MemoryResult: Codable, Sendable {
    struct Sample: Codable, Sendable {
        var connections: Int
        var memory: ProcessProbe.Memory
    }

    var connectionsRequested: Int
    var connectionsSubscribed: Int
    var connectFailures: Int
    var firstError: String?
    var openSeconds: Double
    var samples: [Sample]
    /// (RSS with all connections − RSS before any) / connections.
    var rssKiBPerConnection: Double
    var pssKiBPerConnection: Double?
    /// Between the first checkpoint and the full count: the cost of one more connection
    /// once the server's one-time allocations are made.
    var marginalRSSKiBPerConnection: Double?
    var rssAfterCloseKiB: Int?
    var loadAverage: String
}
