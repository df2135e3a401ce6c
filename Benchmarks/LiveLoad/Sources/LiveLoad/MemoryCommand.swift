import ArgumentParser
import Foundation

struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Server memory per idle subscribed connection (scenario 2)."
    )

    @OptionGroup var options: TargetOptions

    @Option(help: "Idle connections to open, each with one subscription on a quiet device.")
    var connections = 10_000

    @Option(help: "Handshakes in flight at once.")
    var concurrency = 100

    @Option(help: "Seconds to wait before each memory sample.")
    var settle = 3

    func run() async throws {
        guard let pid = options.serverPID else { throw ValidationError("--server-pid is required to read the server's memory") }
        guard (1...19_000).contains(connections), (1...1_000).contains(concurrency), (0...60).contains(settle) else {
            throw ValidationError("--connections must be 1...19000 (ulimit -n is 20000), --concurrency 1...1000, --settle 0...60")
        }
        let limit = ProcessProbe.raiseFileLimit()
        guard limit > connections + 100 else {
            throw ValidationError("open-file limit \(limit) is too low for \(connections) connections; raise ulimit -n")
        }
        // Opening (≤ 300 s per step, two steps), three settles, closing.
        Watchdog.arm(seconds: 600 + 4 * settle + 60)
        let target = options.target()
        try await target.prepare()
        let result = try await MemoryScenario(
            target: target, connections: connections, concurrency: concurrency, serverPID: pid, settleSeconds: settle
        ).run()
        print("connections | subscribed | failures | RSS KiB (samples) | KiB/conn RSS | KiB/conn Pss | marginal KiB/conn | RSS after close")
        let samples = result.samples.map { "\($0.connections):\($0.memory.vmRSSKiB)" }.joined(separator: " ")
        print([
            "\(result.connectionsRequested)", "\(result.connectionsSubscribed)", "\(result.connectFailures)", samples,
            String(format: "%.2f", result.rssKiBPerConnection),
            result.pssKiBPerConnection.map { String(format: "%.2f", $0) } ?? "-",
            result.marginalRSSKiBPerConnection.map { String(format: "%.2f", $0) } ?? "-",
            result.rssAfterCloseKiB.map(String.init) ?? "-",
        ].joined(separator: " | "))
        if let error = result.firstError { print("first error: \(error)") }
        print("results: \(try options.save(result, name: "memory"))")
    }
}
