import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server the benchmark started on 127.0.0.1 with a data directory of its own: Strata
/// (this executable's `serve`), or InfluxDB 1.x and VictoriaMetrics from their Debian
/// packages (`scripts/setup-debian.sh --bench`). Stopped with SIGTERM, then SIGKILL.
final class BenchServer: @unchecked Sendable {
    let system: BenchSystem
    let process: Process
    let dataDirectory: String
    /// The directory whose size counts as the server's bytes on disk.
    let storageDirectory: String

    var pid: Int32 { process.processIdentifier }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init(system: BenchSystem, process: Process, dataDirectory: String, storageDirectory: String) {
        self.system = system
        self.process = process
        self.dataDirectory = dataDirectory
        self.storageDirectory = storageDirectory
    }

    /// Starts `kind` under `root` (created) and waits until it answers its ready path.
    static func start(_ kind: BenchSystem.Kind, root: String, strataBinary: String) async throws -> BenchServer {
        guard let port = ProcessSampler.freePort() else { throw Failure(description: "no free port on 127.0.0.1") }
        let data = root + "/" + kind.rawValue
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let base = URL(string: "http://127.0.0.1:\(port)")!
        let process = Process()
        var storage = data
        switch kind {
        case .strata:
            process.executableURL = URL(fileURLWithPath: strataBinary)
            process.arguments = ["serve", "--data-dir", data, "--http", "127.0.0.1:\(port)"]
        case .influxdb:
            guard let rpc = ProcessSampler.freePort() else { throw Failure(description: "no free port on 127.0.0.1") }
            let config = root + "/influxdb.conf"
            try influxConfig(data: data, port: port, rpc: rpc).write(toFile: config, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/influxd")
            process.arguments = ["run", "-config", config]
        case .victoriametrics:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/victoria-metrics")
            // 100 years: the workload is dated 2024, which the default month would drop.
            process.arguments = ["-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(data)/data",
                                 "-retentionPeriod=100y", "-search.disableCache", "-loggerLevel=ERROR"]
            storage = data + "/data"
        }
        guard FileManager.default.isExecutableFile(atPath: process.executableURL!.path) else {
            throw Failure(description: "\(process.executableURL!.path) is not installed: run scripts/setup-debian.sh --bench")
        }
        let log = root + "/\(kind.rawValue).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = BenchServer(system: BenchSystem(kind: kind, baseURL: base), process: process,
                                 dataDirectory: data, storageDirectory: storage)
        do {
            try await server.waitUntilReady()
        } catch {
            server.stop()
            throw Failure(description: "\(kind.rawValue) did not start (log: \(log)): \(error)")
        }
        return server
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw Failure(description: "it exited with status \(process.terminationStatus)") }
            if let status = try? await BenchHTTP.get(system.baseURL, system.readyPath).status, (200..<300).contains(status) {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "not ready within 60 s")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// The settings the peer benchmark has always used: no reporting, no monitor store, an
    /// in-memory index, and the cache and compaction cold times short enough that the data
    /// is compacted by the time the run measures it.
    private static func influxConfig(data: String, port: Int, rpc: Int) -> String {
        """
        reporting-enabled = false
        bind-address = "127.0.0.1:\(rpc)"
        [meta]
          dir = "\(data)/meta"
        [data]
          dir = "\(data)/data"
          wal-dir = "\(data)/wal"
          index-version = "inmem"
          query-log-enabled = false
          cache-snapshot-write-cold-duration = "5s"
          compact-full-write-cold-duration = "30s"
        [monitor]
          store-enabled = false
        [http]
          enabled = true
          bind-address = "127.0.0.1:\(port)"
          log-enabled = false
          pprof-enabled = false
        [continuous_queries]
          enabled = false
        [subscriber]
          enabled = false

        """
    }
}
