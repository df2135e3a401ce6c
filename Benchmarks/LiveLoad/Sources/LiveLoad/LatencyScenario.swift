/// Scenario 1 (and 3 with `stalled`): 100 robots write 10 points/s each while S subscribers,
/// one device each (round-robin), receive them; every delivery is matched to its write.
struct LatencyScenario: Sendable {
    let target: Target
    let subscribers: Int
    let stalled: Int
    let robots: Int
    let pointsPerSecond: Int
    let warmupSeconds: Int
    let measuredSeconds: Int
    let serverPID: Int32?

    /// Time after the last write for the last deliveries to arrive before the count is taken.
    static let drainSeconds = 2

    func run() async throws -> LatencyResult {
        let stop = StopSignal()
        let subscribed = Counter()
        var subscriberLogs: [Subscriber.Log] = []
        var robotLogs: [RobotWriter.Log] = []
        var timing = (serverCPU: Double?(nil), clientCPU: 0.0, seconds: 0.0)
        var failure: (any Error)?
        var plan: WritePlan?
        let loadBefore = ProcessProbe.loadAverage()
        await withTaskGroup(of: Subscriber.Log.self) { group in
            do {
                try await target.openSubscribers(
                    subscribers + stalled, concurrency: 100, timeout: .seconds(120), subscribed: subscribed, group: &group
                ) { index in
                    let device = device(forSubscriber: index)
                    return Subscriber(
                        url: target.streamURL, device: device,
                        subscribe: target.subscribeMessage(device: device),
                        mode: index < subscribers ? .reading : .stalled,
                        subscribed: subscribed, stop: stop, logger: target.logger
                    )
                }
                let made = makePlan()
                plan = made
                let probe = Task { await measureCPU(plan: made) }
                robotLogs = try await writeAll(plan: made)
                timing = await probe.value
                try await Task.sleep(for: .seconds(Self.drainSeconds))
            } catch {
                failure = error
            }
            stop.fire()
            for await log in group { subscriberLogs.append(log) }
        }
        if let failure { throw failure }
        guard let plan else { throw LoadError("no write plan") }
        return analyze(
            plan: plan, robotLogs: robotLogs, subscriberLogs: subscriberLogs,
            timing: timing, loadBefore: loadBefore
        )
    }

    private func device(forSubscriber index: Int) -> String {
        makePlanSkeleton().device(index % robots)
    }

    private func makePlanSkeleton() -> WritePlan {
        WritePlan(database: target.database, robots: robots, ticks: 0, warmupTicks: 0,
                  tickNanoseconds: 1, baseTime: 0, startMonotonic: 0)
    }

    private func makePlan() -> WritePlan {
        let tick = 1_000_000_000 / Int64(pointsPerSecond)
        // Half a second of lead so every robot's first slot is still ahead when it starts.
        return WritePlan(
            database: target.database, robots: robots,
            ticks: (warmupSeconds + measuredSeconds) * pointsPerSecond,
            warmupTicks: warmupSeconds * pointsPerSecond, tickNanoseconds: tick,
            baseTime: MonotonicClock.wallNow() / tick * tick, startMonotonic: MonotonicClock.now() + 500_000_000
        )
    }

    private func writeAll(plan: WritePlan) async throws -> [RobotWriter.Log] {
        try await withThrowingTaskGroup(of: (Int, RobotWriter.Log).self) { group in
            for index in 0..<robots {
                let writer = RobotWriter(index: index, connection: target.http, plan: plan)
                group.addTask { (index, try await writer.run()) }
            }
            var logs = Array(repeating: RobotWriter.Log(sentAt: [], ackAt: []), count: robots)
            for try await (index, log) in group { logs[index] = log }
            return logs
        }
    }

    /// CPU of the server and of this process over the measured part of the run only.
    private func measureCPU(plan: WritePlan) async -> (serverCPU: Double?, clientCPU: Double, seconds: Double) {
        let probe = serverPID.map(ProcessProbe.init(pid:))
        let start = plan.startMonotonic + Int64(plan.warmupTicks) * plan.tickNanoseconds
        let end = plan.startMonotonic + Int64(plan.ticks) * plan.tickNanoseconds
        try? await Task.sleep(for: .nanoseconds(max(0, start - MonotonicClock.now())))
        let server0 = probe?.cpuSeconds(), client0 = ProcessProbe.selfCPUSeconds(), t0 = MonotonicClock.now()
        try? await Task.sleep(for: .nanoseconds(max(0, end - MonotonicClock.now())))
        let server1 = probe?.cpuSeconds(), client1 = ProcessProbe.selfCPUSeconds()
        let seconds = Double(MonotonicClock.now() - t0) / 1e9
        let server = server0.flatMap { s0 in server1.map { ($0 - s0) / seconds * 100 } }
        return (server, (client1 - client0) / seconds * 100, seconds)
    }
}
