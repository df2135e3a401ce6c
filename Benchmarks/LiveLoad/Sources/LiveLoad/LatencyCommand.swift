import ArgumentParser
import Foundation

struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Write-to-subscriber latency at each subscriber count (scenarios 1 and 3)."
    )

    @OptionGroup var options: TargetOptions

    @Option(help: "Subscriber counts to run, comma-separated.")
    var subscribers = "1,100,1000"

    @Option(help: "Subscribers that subscribe and then never read (scenario 3).")
    var stalled = 0

    @Option(help: "Writing robots, one keep-alive connection each.")
    var robots = 100

    @Option(help: "Points per second per robot (one line per request).")
    var rate = 10

    @Option(help: "Seconds of writes before measuring.")
    var warmup = 5

    @Option(help: "Measured seconds of writes per subscriber count.")
    var duration = 20

    func run() async throws {
        let counts = subscribers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 && $0 <= 10_000 }) else {
            throw ValidationError("--subscribers must be 1 to 10000, comma-separated; got \(subscribers)")
        }
        guard (1...1_000).contains(robots), (1...1_000).contains(rate), (0...600).contains(warmup), (1...600).contains(duration) else {
            throw ValidationError("--robots and --rate must be 1...1000, --warmup 0...600, --duration 1...600")
        }
        // Per count: connecting (≤ 120 s), the writes, the drain, and closing.
        Watchdog.arm(seconds: counts.count * (warmup + duration + LatencyScenario.drainSeconds + 150))
        _ = ProcessProbe.raiseFileLimit()
        let target = options.target()
        try await target.prepare()
        var results: [LatencyResult] = []
        for count in counts {
            let scenario = LatencyScenario(
                target: target, subscribers: count, stalled: stalled, robots: robots, pointsPerSecond: rate,
                warmupSeconds: warmup, measuredSeconds: duration, serverPID: options.serverPID
            )
            let result = try await scenario.run()
            results.append(result)
            FileHandle.standardOutput.write(Data((LatencyTable.row(result) + "\n").utf8))
            try await Task.sleep(for: .seconds(2))
        }
        print(LatencyTable.header)
        for result in results { print(LatencyTable.row(result)) }
        print("results: \(try options.save(results, name: stalled > 0 ? "latency-stalled" : "latency"))")
    }
}
