/// Scenario 2: N idle connections, each with one subscription on a device nobody writes;
/// the server's RSS before, at a checkpoint, with all of them, and after they close.
struct MemoryScenario: Sendable {
    let target: Target
    let connections: Int
    let concurrency: Int
    let serverPID: Int32
    let settleSeconds: Int

    /// The first checkpoint; the step from it to the full count is the marginal cost.
    static let checkpoint = 1_000

    func run() async throws -> MemoryResult {
        let probe = ProcessProbe(pid: serverPID)
        guard let before = probe.memory() else { throw LoadError("cannot read /proc/\(serverPID)/status") }
        var samples = [MemoryResult.Sample(connections: 0, memory: before)]
        let stop = StopSignal()
        let subscribed = Counter()
        var logs: [Subscriber.Log] = []
        var failure: (any Error)?
        let started = MonotonicClock.now()
        var openSeconds = 0.0
        await withTaskGroup(of: Subscriber.Log.self) { group in
            do {
                let first = min(Self.checkpoint, connections)
                try await open(0..<first, group: &group, stop: stop, subscribed: subscribed)
                try await settle()
                if let memory = probe.memory(), first < connections {
                    samples.append(.init(connections: first, memory: memory))
                }
                try await open(first..<connections, group: &group, stop: stop, subscribed: subscribed)
                openSeconds = Double(MonotonicClock.now() - started) / 1e9
                try await settle()
                if let memory = probe.memory() { samples.append(.init(connections: connections, memory: memory)) }
            } catch {
                failure = error
            }
            stop.fire()
            for await log in group { logs.append(log) }
        }
        try await settle()
        let afterClose = probe.memory()
        let full = samples.last!
        let failures = logs.filter { !$0.subscribed }
        var result = MemoryResult(
            connectionsRequested: connections, connectionsSubscribed: subscribed.current,
            connectFailures: failures.count,
            firstError: failure.map { "\($0)" } ?? failures.first?.errors.first,
            openSeconds: openSeconds, samples: samples,
            rssKiBPerConnection: Double(full.memory.vmRSSKiB - before.vmRSSKiB) / Double(max(full.connections, 1)),
            rssAfterCloseKiB: afterClose?.vmRSSKiB, loadAverage: ProcessProbe.loadAverage()
        )
        if let pss = full.memory.pssKiB, let pss0 = before.pssKiB {
            result.pssKiBPerConnection = Double(pss - pss0) / Double(max(full.connections, 1))
        }
        if samples.count == 3 {
            let step = samples[2].connections - samples[1].connections
            result.marginalRSSKiBPerConnection = Double(samples[2].memory.vmRSSKiB - samples[1].memory.vmRSSKiB) / Double(step)
        }
        return result
    }

    private func open(_ range: Range<Int>, group: inout TaskGroup<Subscriber.Log>, stop: StopSignal, subscribed: Counter) async throws {
        try await target.openSubscribers(
            range.count, concurrency: concurrency, timeout: .seconds(300), subscribed: subscribed, group: &group
        ) { index in
            let device = "idle-" + String(range.lowerBound + index + 1).leftPadded(to: 5)
            return Subscriber(
                url: target.streamURL, device: device, subscribe: target.subscribeMessage(device: device),
                mode: .reading, subscribed: subscribed, stop: stop, logger: target.logger
            )
        }
    }

    private func settle() async throws {
        try await Task.sleep(for: .seconds(settleSeconds))
    }
}
