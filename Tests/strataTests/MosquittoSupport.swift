import Foundation
import StrataTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `mosquitto` broker child process on free loopback ports, for the MQTT ingest tests.
/// Its config keeps every message queued for an offline persistent session (mosquitto's
/// default `max_queued_messages` of 1,000 would drop some while Strata is down).
final class MosquittoBroker: Sendable {
    static let setupHint = "run scripts/setup-debian.sh (installs mosquitto and the Python paho-mqtt)"

    let child: BrokerProcess
    /// Plain MQTT, for publishers (and Strata unless it uses `tlsPort`).
    let port: Int
    /// MQTT over TLS with `SelfSignedCertificate`'s pair, when asked for.
    let tlsPort: Int?

    private init(child: BrokerProcess, port: Int, tlsPort: Int?) {
        self.child = child
        self.port = port
        self.tlsPort = tlsPort
    }

    /// `requireClientCertificate`: the TLS listener takes only clients with a certificate
    /// signed by `tls` (as AWS IoT Core authenticates things).
    /// `port`: the plain listener's, when a test chose it first (default: a free one).
    static func start(tls: SelfSignedCertificate? = nil, requireClientCertificate: Bool = false, port: Int? = nil)
        async throws -> MosquittoBroker
    {
        let port = try port ?? FreePort.pick()
        var config = """
            per_listener_settings false
            allow_anonymous true
            persistence false
            max_queued_messages 0
            max_inflight_messages 100
            listener \(port) 127.0.0.1

            """
        var tlsPort: Int?
        if let tls {
            let p = try FreePort.pick()
            tlsPort = p
            config += "listener \(p) 127.0.0.1\ncertfile \(tls.certificate)\nkeyfile \(tls.key)\n"
            if requireClientCertificate {
                config += "cafile \(tls.certificate)\nrequire_certificate true\n"
            }
        }
        let child = try await BrokerProcess.launch("mosquitto", config: { _ in config },
                                                   ports: [port] + (tlsPort.map { [$0] } ?? []))
        return MosquittoBroker(child: child, port: port, tlsPort: tlsPort)
    }

    var log: String { child.log }

    func stop() { child.stop() }
}

/// A broker binary run as a child with a config file in a directory of its own, until
/// `stop()`. Missing is a failure that names the setup script.
final class BrokerProcess: Sendable {
    let process: Process
    let directory: String
    let name: String

    private init(process: Process, directory: String, name: String) {
        self.process = process
        self.directory = directory
        self.name = name
    }

    static func binary(_ name: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw TestError("\(name) is not installed: run scripts/setup-debian.sh")
    }

    /// Runs `name -c <config>` (`config` gets the broker's directory) and returns once every
    /// port in `ports` takes connections, within 30 s.
    static func launch(_ name: String, config: (String) -> String, ports: [Int]) async throws -> BrokerProcess {
        let directory = TemporaryDirectory.uniquePath(prefix: "strata-\(name)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = config(directory)
        let configPath = "\(directory)/\(name).conf"
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = "\(directory)/\(name).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw TestError("cannot create \(logPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary(name))
        process.arguments = ["-c", configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        let child = BrokerProcess(process: process, directory: directory, name: name)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if ports.allSatisfy(FreePort.accepts) { return child }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let status = process.isRunning ? "still running" : "exited with \(process.terminationStatus)"
        let log = child.log
        child.stop()
        throw TestError("\(name) did not listen on \(ports) within 30 s (\(status)): \(log)\nconfig:\n\(text)")
    }

    var log: String { (try? String(contentsOfFile: "\(directory)/\(name).log", encoding: .utf8)) ?? "" }

    /// SIGKILL: a child of the test process inherits its blocked SIGTERM, which the broker's
    /// loop then never sees; the tests' brokers keep nothing that must survive.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A certificate for 127.0.0.1 and localhost, made by openssl for one test.
struct SelfSignedCertificate {
    let certificate: String
    let key: String

    static func make(in directory: String) throws -> SelfSignedCertificate {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cert = "\(directory)/cert.pem", key = "\(directory)/key.pem"
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                     "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // mosquitto started as root reads its files as the user `mosquitto`.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        return SelfSignedCertificate(certificate: cert, key: key)
    }

    /// A client certificate (CN `name`) signed by this one, in `directory`.
    func client(_ name: String, in directory: String) throws -> SelfSignedCertificate {
        let cert = "\(directory)/\(name).pem", key = "\(directory)/\(name).key", request = "\(directory)/\(name).csr"
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", request, "-subj", "/CN=\(name)"])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", certificate, "-CAkey", self.key, "-CAcreateserial",
                          "-out", cert, "-days", "2"])
        return SelfSignedCertificate(certificate: cert, key: key)
    }

    private static func openssl(_ arguments: [String]) throws {
        guard try ChildProcess.run("/usr/bin/openssl", arguments).status == 0 else {
            throw TestError("openssl \(arguments.first ?? "") failed (run scripts/setup-debian.sh)")
        }
    }
}

enum FreePort {
    /// A port the kernel had free a moment ago (bind to 0, read it, close).
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestError("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A short-lived command, run to its end; its output is a few lines, so reading it after
/// the start cannot block on a full pipe.
enum ChildProcess {
    enum Capture { case standardOutput, standardError }

    static func run(_ executable: String, _ arguments: [String], capture: Capture = .standardOutput) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = capture == .standardOutput ? pipe : FileHandle.nullDevice
        process.standardError = capture == .standardError ? pipe : FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
