/// One robot: its own keep-alive connection, one point per 100 ms tick, one line per
/// request (10 points/s is one line per tick, so batching per tick changes nothing).
struct RobotWriter: Sendable {
    /// What the robot saw for each tick; 0 where the tick never got that far.
    struct Log: Sendable {
        var sentAt: [Int64]
        var ackAt: [Int64]
        var failures = 0
        var firstFailure: String?
        /// Ticks sent later than their slot because the previous answer was slow.
        var late = 0
    }

    let index: Int
    let connection: HTTPConnection
    let plan: WritePlan

    var device: String { plan.device(index) }

    func run() async throws -> Log {
        var log = Log(sentAt: Array(repeating: 0, count: plan.ticks), ackAt: Array(repeating: 0, count: plan.ticks))
        let uri = "/write?db=\(plan.database)&precision=ns"
        // Robots are spread evenly over the tick so the server sees a steady 1,000 req/s
        // rather than 100 requests at once every 100 ms.
        let offset = plan.tickNanoseconds * Int64(index) / Int64(plan.robots)
        try await connection.withExchange { exchange in
            for tick in 0..<plan.ticks {
                let slot = plan.startMonotonic + Int64(tick) * plan.tickNanoseconds + offset
                let wait = slot - MonotonicClock.now()
                if wait > 0 { try await Task.sleep(for: .nanoseconds(wait)) } else if wait < -plan.tickNanoseconds / 2 { log.late += 1 }
                let line = plan.line(robot: index, tick: tick)
                log.sentAt[tick] = MonotonicClock.now()
                let response = try await exchange.post(uri, body: line)
                let acked = MonotonicClock.now()
                if response.status == 204 {
                    log.ackAt[tick] = acked
                } else {
                    log.failures += 1
                    if log.firstFailure == nil { log.firstFailure = "\(response.status) \(response.body)" }
                }
            }
        }
        return log
    }
}
