import Foundation
import StrataTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif


/// A `strata serve` child process on an ephemeral port. Every wait is bounded.
final class ServerProcess: Sendable {
    let process: Process
    let baseURL: String
    private let stderrText: TextBox

    private init(process: Process, baseURL: String, stderrText: TextBox) {
        self.process = process
        self.baseURL = baseURL
        self.stderrText = stderrText
    }

    /// Starts the server with `--http 127.0.0.1:0` and reads the port it bound from its
    /// `strata listening on http://...` line (no race for a free port).
    static func start(dataDir: String, extraArguments: [String] = [], timeout: Duration = .seconds(30)) throws -> ServerProcess {
        let process = Process()
        process.executableURL = try strataBinary()
        process.arguments = ["serve", "--data-dir", dataDir, "--http", "127.0.0.1:0"] + extraArguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        let text = TextBox()
        // Keep draining stderr for the process's whole life so its logging never blocks.
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { text.value.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let url = text.value.withLock({ Self.listeningURL(in: $0) }) {
                return ServerProcess(process: process, baseURL: url, stderrText: text)
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw TestError("strata serve did not start within \(timeout): \(text.value.withLock { $0 })")
    }

    private static func listeningURL(in text: String) -> String? {
        guard let range = text.range(of: "strata listening on ") else { return nil }
        let rest = text[range.upperBound...]
        guard let end = rest.firstIndex(of: "\n") else { return nil }
        return String(rest[..<end])
    }

    /// The `strata` executable beside this test bundle (both are build products), or
    /// `STRATA_BINARY` when set.
    static func strataBinary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["STRATA_BINARY"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        // On macOS the runner sits inside strataPackageTests.xctest/Contents/MacOS.
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("strata"))
            dir = dir.deletingLastPathComponent()
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("strata"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/strata"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate
            }
        }
        throw TestError("no strata binary among \(candidates.map(\.path)); build it or set STRATA_BINARY")
    }

    func waitForPing(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let ping = try? await HTTP.send("GET", "\(baseURL)/ping", timeout: 2), ping.status == 204 {
                #expect(ping.header("X-Influxdb-Version") == "1.8.10-strata")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestError("no 204 from \(baseURL)/ping within \(timeout)")
    }

    /// SIGTERM, then the exit status once the process is gone (SIGKILL after `timeout`).
    func terminate(timeout: Duration = .seconds(30)) async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill()
                throw TestError("strata serve ignored SIGTERM for \(timeout): \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.terminationStatus != 0 { Issue.record("strata serve exited \(process.terminationStatus): \(log)") }
        return process.terminationStatus
    }

    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var log: String { stderrText.value.withLock { $0 } }

    /// The port it listens on, from `baseURL`.
    var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }
}

/// What the server printed on stderr, appended to from the pipe's reader thread.
final class TextBox: Sendable {
    let value = Mutex("")
}

struct HTTPResult: Sendable {
    var status: Int
    /// Keyed by lowercased name.
    var headers: [String: String]
    var body: Data
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum HTTP {
    static func send(
        _ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:], timeout: TimeInterval = 30
    ) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        // The shared session's 60 s request timeout wins over a longer one on the request
        // (a /compact answered after 61 s failed at 60): longer waits get a session of their own.
        let session = timeout > 60 ? URLSession(configuration: Self.configuration(timeout: timeout)) : URLSession.shared
        defer { if session !== URLSession.shared { session.finishTasksAndInvalidate() } }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestError("not HTTP: \(response)") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return HTTPResult(status: http.statusCode, headers: fields, body: data)
    }

    private static func configuration(timeout: TimeInterval) -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        return configuration
    }
}

