extension LatencyScenario {
    /// Matches every received row to its write (device + time → robot + tick) and counts
    /// what is missing or doubled among the measured (post-warm-up) ticks.
    func analyze(
        plan: WritePlan, robotLogs: [RobotWriter.Log], subscriberLogs: [Subscriber.Log],
        timing: (serverCPU: Double?, clientCPU: Double, seconds: Double), loadBefore: String
    ) -> LatencyResult {
        var robotOfDevice: [String: Int] = [:]
        for robot in 0..<robots { robotOfDevice[plan.device(robot)] = robot }
        var fromAck: [Int64] = [], fromSend: [Int64] = []
        var expected = 0, delivered = 0, missing = 0, duplicates = 0, unexpected = 0, early = 0
        var conflated = 0
        var errors: [String] = []
        var stalledPoints: Int?
        for log in subscriberLogs {
            errors.append(contentsOf: log.errors.prefix(max(0, 5 - errors.count)))
            if log.stalled { stalledPoints = (stalledPoints ?? 0) + log.times.count; continue }
            conflated += log.conflatedMessages
            guard let robot = robotOfDevice[log.device], robot < robotLogs.count else { continue }
            let writes = robotLogs[robot]
            var seen = Array(repeating: 0, count: plan.ticks)
            for (time, receivedAt) in zip(log.times, log.receivedAt) {
                guard let tick = plan.tick(ofTime: time), writes.ackAt[tick] != 0 else { unexpected += 1; continue }
                guard tick >= plan.warmupTicks else { continue }
                seen[tick] += 1
                guard seen[tick] == 1 else { continue }
                let sinceAck = receivedAt - writes.ackAt[tick]
                if sinceAck < 0 { early += 1 }
                fromAck.append(sinceAck)
                fromSend.append(receivedAt - writes.sentAt[tick])
            }
            for tick in plan.warmupTicks..<plan.ticks where writes.ackAt[tick] != 0 {
                expected += 1
                if seen[tick] == 0 { missing += 1 } else { delivered += 1; duplicates += seen[tick] - 1 }
            }
        }
        var roundTrips: [Int64] = []
        var acked = 0, failures = 0, late = 0
        var firstFailure: String?
        var lastAck: Int64 = 0
        for log in robotLogs {
            failures += log.failures
            late += log.late
            firstFailure = firstFailure ?? log.firstFailure
            for tick in plan.warmupTicks..<plan.ticks where log.ackAt[tick] != 0 {
                acked += 1
                roundTrips.append(log.ackAt[tick] - log.sentAt[tick])
                lastAck = max(lastAck, log.ackAt[tick])
            }
        }
        let measuredStart = plan.startMonotonic + Int64(plan.warmupTicks) * plan.tickNanoseconds
        let span = Double(max(lastAck - measuredStart, 1)) / 1e9
        return LatencyResult(
            subscribers: subscribers, stalledSubscribers: stalled, robots: robots,
            pointsPerSecondPerRobot: pointsPerSecond, warmupSeconds: warmupSeconds, measuredSeconds: measuredSeconds,
            latencyFromAckMicros: Percentiles(nanoseconds: fromAck),
            latencyFromSendMicros: Percentiles(nanoseconds: fromSend),
            writeRoundTripMicros: Percentiles(nanoseconds: roundTrips),
            deliveredBeforeAck: early, expectedDeliveries: expected, delivered: delivered,
            missing: missing, duplicates: duplicates, unexpected: unexpected, conflatedMessages: conflated,
            pointsAcked: acked, ingestPointsPerSecond: Double(acked) / span,
            writeFailures: failures, firstWriteFailure: firstFailure, lateTicks: late,
            serverCPUPercent: timing.serverCPU, clientCPUPercent: timing.clientCPU,
            loadAverageBefore: loadBefore, loadAverageAfter: ProcessProbe.loadAverage(),
            subscriberErrors: errors, stalledReceivedPoints: stalledPoints
        )
    }
}
