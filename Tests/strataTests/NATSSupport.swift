import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the MQTT ingest tests need of a broker process.
protocol MQTTBrokerProcess: Sendable {
    /// Plain MQTT on 127.0.0.1.
    var port: Int { get }
    func stop()
}

extension MosquittoBroker: MQTTBrokerProcess {}

/// The brokers the ingest is tested against, by name (a test argument).
enum BrokerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case mosquitto
    /// NATS's MQTT listener, whose sessions live in JetStream.
    case nats

    var testDescription: String { rawValue }

    func start() async throws -> any MQTTBrokerProcess {
        switch self {
        case .mosquitto: try await MosquittoBroker.start()
        case .nats: try await NATSBroker.start()
        }
    }
}

/// A `nats-server` child process with JetStream and its MQTT listener on free loopback ports.
final class NATSBroker: MQTTBrokerProcess {
    let process: Process
    let directory: String
    let port: Int

    private init(process: Process, directory: String, port: Int) {
        self.process = process
        self.directory = directory
        self.port = port
    }

    static func binary() throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/nats-server") {
            return "\(dir)/nats-server"
        }
        throw LiveTestError(description: "nats-server is not installed: run scripts/setup-debian.sh")
    }

    static func start() async throws -> NATSBroker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-nats-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try FreePort.pick()
        // MQTT needs a server name and JetStream (its sessions and QoS 1 messages live there).
        // A QoS 1 message sent to a session that vanished unacknowledged goes again after
        // `ack_wait`: 30 s by default, 2 s here so the test does not sit out the default.
        let config = """
            listen: 127.0.0.1:\(try FreePort.pick())
            server_name: strata-test
            jetstream { store_dir: "\(directory)/jetstream" }
            mqtt { listen: 127.0.0.1:\(port), ack_wait: "2s" }

            """
        let configPath = "\(directory)/nats.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = "\(directory)/nats.log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw LiveTestError(description: "cannot create \(logPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = ["-c", configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        let broker = NATSBroker(process: process, directory: directory, port: port)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if FreePort.accepts(port) { return broker }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        broker.stop()
        throw LiveTestError(description: "nats-server did not listen for MQTT on \(port) within 30 s: \(log)")
    }

    /// SIGKILL, as for mosquitto: the child inherits the test process's blocked SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
