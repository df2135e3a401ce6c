import ArgumentParser
import Foundation
import StrataCore

/// `strata bench`: the robot-fleet workload against Strata and, in the same run, InfluxDB
/// 1.x and VictoriaMetrics; a table, JSON, Markdown and an HTML page (docs/bench.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark ingest, disk and queries against Strata and, in the same run, InfluxDB and VictoriaMetrics.",
        discussion: """
            Generates a deterministic robot-fleet workload, writes it over HTTP, lets the disk \
            settle and times six queries, per system. Without --url it starts its own Strata on a \
            temporary directory. --start-peers starts InfluxDB and VictoriaMetrics from their \
            Debian packages (scripts/setup-debian.sh --bench installs them); --compare uses running \
            ones. Writes PREFIX.json and PREFIX.md (--output) and, with --report, one HTML page.
            """
    )

    @Option(help: "Robots in the fleet.") var devices = 100
    @Option(help: "Time the workload spans, such as 10m, 6h or 2d.") var duration = "6h"
    @Option(help: "Samples per robot per second.") var rate = 1.0
    @Option(name: .customLong("jitter-ms"), help: "Delay each sample by 0 to N ms, as real devices do (below the interval).")
    var jitterMilliseconds: Int64 = 0
    @Option(help: "Seed of the workload: the same seed gives the same bytes.") var seed: UInt64 = 42
    @Option(name: .customLong("batch-lines"), help: "Lines per write request.") var batchLines = 5_000
    @Option(help: "Concurrent write connections.") var connections = 2
    @Option(name: .customLong("query-runs"), help: "Timed runs of each query, after one warm-up.") var queryRuns = 10
    @Option(help: "A running Strata to benchmark instead of starting one (no CPU, memory or disk figures then).")
    var url: String?
    @Option(help: "Running peers to compare with: influxdb=URL,victoriametrics=URL.") var compare: String?
    @Flag(name: .customLong("start-peers"), help: "Start InfluxDB and VictoriaMetrics on loopback for the run, and stop them after.")
    var startPeers = false
    @Option(help: "Where the JSON and Markdown go: PREFIX.json and PREFIX.md.") var output = "strata-bench"
    @Option(help: "Also write this self-contained HTML page with the charts.") var report: String?
    @Flag(name: .customLong("keep-data"), help: "Keep the started servers' data directories.") var keepData = false
    @Option(name: .customLong("write-workload"), help: "Only write the workload as line protocol to this file, for other tools.")
    var writeWorkload: String?

    /// The generated workload is held in memory (each system gets the same bytes); 4 GiB
    /// is about 100 devices × 3 days at 1/s.
    static let maxWorkloadBytes = 4 << 30

    func validate() throws {
        _ = try plan()
        _ = try peerURLs()
    }

    func run() async throws {
        let plan = try plan()
        var fleet = RobotFleet(plan.parameters)
        let window = BenchWindow(plan.parameters, hotDevices: fleet.hotDevices.count)
        StandardError.write("generating \(BenchReport.grouped(Double(plan.parameters.lines))) lines...\n")
        let batches = fleet.batches(lines: batchLines).map { body in
            BenchBatch(body: Data(body), values: body.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } * RobotFleet.fields.count)
        }
        let bytes = batches.reduce(0) { $0 + $1.body.count }
        if let writeWorkload {
            guard FileManager.default.createFile(atPath: writeWorkload, contents: nil),
                  let file = FileHandle(forWritingAtPath: writeWorkload)
            else {
                throw ValidationError("cannot write --write-workload \(writeWorkload)")
            }
            for batch in batches { try file.write(contentsOf: batch.body) }
            try file.close()
            StandardError.write("wrote \(BenchReport.grouped(Double(plan.parameters.lines))) lines, \(Format.bytes(bytes)), to \(writeWorkload)\n")
            return
        }
        let runner = BenchRunner(batches: batches, window: window, connections: connections, queryRuns: queryRuns,
                                 showProgress: isatty(STDERR_FILENO) != 0)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-\(UUID().uuidString)").path
        defer {
            if keepData { StandardError.write("data kept in \(root)\n") } else { try? FileManager.default.removeItem(atPath: root) }
        }

        var systems: [BenchResults.System] = []
        for (kind, remote) in try targets() {
            StandardError.write("\(kind.rawValue): \(remote.map { "at \($0)" } ?? "starting on 127.0.0.1")\n")
            if let remote {
                systems.append(await runner.run(BenchSystem(kind: kind, baseURL: remote), server: nil))
                continue
            }
            do {
                let server = try await BenchServer.start(kind, root: root, strataBinary: Self.strataBinary)
                systems.append(await runner.run(server.system, server: server))
                server.stop()
            } catch {
                var failed = BenchResults.System(name: kind, url: "", local: true)
                failed.error = "\(error)"
                systems.append(failed)
            }
        }
        var results = BenchResults(
            workload: .init(devices: devices, seconds: plan.seconds, intervalNanoseconds: plan.parameters.intervalNanoseconds,
                            jitterMilliseconds: jitterMilliseconds, seed: seed, lines: plan.parameters.lines,
                            values: plan.parameters.values, batchLines: batchLines, connections: connections, bytes: bytes),
            window: window, systems: systems)
        results.checkAgreement()
        try write(results)
        print(BenchReport.table(results), terminator: "")
        if !results.agree { throw ExitCode(1) }
    }

    private func write(_ results: BenchResults) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: URL(fileURLWithPath: output + ".json"))
        try BenchReport.markdown(results).write(toFile: output + ".md", atomically: true, encoding: .utf8)
        var written = [output + ".json", output + ".md"]
        if let report {
            try BenchReport.html(results).write(toFile: report, atomically: true, encoding: .utf8)
            written.append(report)
        }
        StandardError.write("wrote \(written.joined(separator: ", "))\n")
    }

    struct Plan {
        var parameters: RobotFleet.Parameters
        var seconds: Int64
    }

    private func plan() throws -> Plan {
        guard devices >= 1, devices <= 1_000_000 else { throw ValidationError("--devices must be 1 to 1,000,000, got \(devices)") }
        guard case .success(let span) = DurationText.parse(duration, .flag(unitRequired: false)), span > 0 else {
            throw ValidationError("--duration must be a duration such as 10m, 6h or 2d, got \"\(duration)\"")
        }
        guard rate > 0, rate <= 1_000, (1e9 / rate).rounded() >= 1 else {
            throw ValidationError("--rate must be above 0 and at most 1000 samples per second, got \(rate)")
        }
        let interval = Int64((1e9 / rate).rounded())
        guard jitterMilliseconds >= 0, jitterMilliseconds * 1_000_000 < interval else {
            throw ValidationError("--jitter-ms must be 0 or more and below the interval (\(interval / 1_000_000) ms), got \(jitterMilliseconds)")
        }
        guard batchLines >= 1, batchLines <= 1_000_000 else { throw ValidationError("--batch-lines must be 1 to 1,000,000, got \(batchLines)") }
        guard connections >= 1, connections <= 64 else { throw ValidationError("--connections must be 1 to 64, got \(connections)") }
        guard queryRuns >= 1, queryRuns <= 1_000 else { throw ValidationError("--query-runs must be 1 to 1000, got \(queryRuns)") }
        let ticks = (span + interval - 1) / interval
        let parameters = RobotFleet.Parameters(devices: devices, intervalNanoseconds: interval, ticks: Int(ticks),
                                                jitterNanoseconds: jitterMilliseconds * 1_000_000, seed: seed)
        // About 215 bytes a line (the workload's own average).
        guard parameters.lines <= Self.maxWorkloadBytes / 215 else {
            throw ValidationError("\(parameters.lines) lines would take about \(Format.bytes(parameters.lines * 215)) of memory; "
                + "the limit is \(Format.bytes(Self.maxWorkloadBytes)): use fewer --devices or a shorter --duration")
        }
        return Plan(parameters: parameters, seconds: span / 1_000_000_000)
    }

    /// `--compare`'s peers by name.
    private func peerURLs() throws -> [BenchSystem.Kind: URL] {
        guard let compare else { return [:] }
        var out: [BenchSystem.Kind: URL] = [:]
        for item in compare.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = BenchSystem.Kind(rawValue: parts[0]), kind != .strata,
                  let url = URL(string: parts[1]), url.scheme == "http" || url.scheme == "https", url.host != nil
            else {
                throw ValidationError("--compare takes influxdb=URL,victoriametrics=URL, got \"\(item)\"")
            }
            guard !startPeers else { throw ValidationError("give --compare or --start-peers, not both") }
            out[kind] = url
        }
        return out
    }

    /// Strata first, then the peers; a URL for a running system, nil for one to start.
    private func targets() throws -> [(BenchSystem.Kind, URL?)] {
        var out: [(BenchSystem.Kind, URL?)] = []
        if let url {
            guard let base = URL(string: url), base.host != nil else { throw ValidationError("--url must be an http:// URL, got \"\(url)\"") }
            out.append((.strata, base))
        } else {
            out.append((.strata, nil))
        }
        let peers = try peerURLs()
        for kind in [BenchSystem.Kind.influxdb, .victoriametrics] {
            if let remote = peers[kind] { out.append((kind, remote)) } else if startPeers { out.append((kind, nil)) }
        }
        return out
    }

    /// This executable, which serves as the Strata under test.
    static var strataBinary: String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
