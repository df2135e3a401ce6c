import ArgumentParser
import Foundation
import Logging

@main
struct LiveLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liveload",
        abstract: "Load generator for Strata's live subscriptions (loopback only).",
        subcommands: [LatencyCommand.self, MemoryCommand.self]
    )
}

/// Options every scenario shares.
struct TargetOptions: ParsableArguments {
    @Option(help: "Server port on 127.0.0.1.")
    var port = 8086

    @Option(help: "Database to create and use.")
    var database = "robots"

    @Option(name: .customLong("server-pid"), help: "PID of the strata server, for its CPU and memory from /proc.")
    var serverPID: Int32?

    @Option(help: "Directory for the JSON results file.")
    var out = "/tmp/liveload"

    func target() -> Target {
        var logger = Logger(label: "liveload")
        logger.logLevel = .critical
        // Loopback only: this tool never targets another host.
        return Target(host: "127.0.0.1", port: port, database: database, logger: logger)
    }

    func save<T: Encodable>(_ value: T, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let path = "\(out)/\(name)-\(stamp).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Ends the process if a scenario overruns its cap, whatever it is waiting on.
enum Watchdog {
    static func arm(seconds: Int) {
        Task.detached {
            try? await Task.sleep(for: .seconds(seconds))
            FileHandle.standardError.write(Data("liveload: hard cap of \(seconds) s reached, exiting\n".utf8))
            exit(3)
        }
    }
}
