import Foundation
import StrataTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The live page at `/` in a real browser against the built `strata serve`: headless
/// Chromium driven over the DevTools protocol by scripts/live_page_browser.py, which writes
/// points over HTTP and reads what the page shows from its DOM (docs/live-page.md).
@Suite(.serialized)
struct LivePageBrowserTests {
    @Test func pageIsSelfContained() async throws {
        try await withServer { server in
            let page = try await HTTP.send("GET", "\(server.baseURL)/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains(#"<canvas id="chart""#))
            // Absolute URLs would be requests to elsewhere; the page builds its own from location.
            for scheme in ["http://", "https://", "ws://", "wss://", "\"//", "'//"] {
                #expect(!page.text.contains(scheme), "the page names \(scheme)")
            }
            #expect(!page.text.contains("<script src"), "the page loads a script file")
            #expect(!page.text.contains("<link"), "the page links a stylesheet or font")
        }
    }

    @Test func historyLiveTailAndResumeInChromium() async throws {
        let chromium = try BrowserDriver.chromium()
        try await withServer { server in
            let report = try await BrowserDriver.run(baseURL: server.baseURL, chromium: chromium)
            #expect(report["history"] as? Int == 40)
            let final = try #require(report["final"] as? [String: Any])
            #expect(final["state"] as? String == "live")
            // 40 history + 5 live + 4 across a reconnect + 1 while closed by an admin.
            #expect(final["points"] as? Int == 50)
            #expect(final["resumes"] as? Int == 2)
            #expect(final["repeats"] as? Int == 0)
            #expect(final["lastValue"] as? String == "99.5")
        }
    }

    /// With tokens the server is protected: the page first shows the refusal, then works with
    /// a read token limited to the one device it shows, typed into its token box.
    @Test func tokenEntryOnAProtectedServer() async throws {
        let chromium = try BrowserDriver.chromium()
        try await withServer(tokens: [["--scope", "read", "--devices", "robot-0001"], ["--scope", "admin"]]) { server, tokens in
            let report = try await BrowserDriver.run(
                baseURL: server.baseURL, chromium: chromium, extra: ["--token", tokens[0], "--write-token", tokens[1]])
            let final = try #require(report["final"] as? [String: Any])
            #expect(final["state"] as? String == "live")
            // After the reload at the end: all 50 points as history, kept token, no resume.
            #expect(final["points"] as? Int == 50)
            #expect(final["resumes"] as? Int == 0)
            #expect(final["repeats"] as? Int == 0)
        }
    }

    private func withServer(_ body: (ServerProcess) async throws -> Void) async throws {
        try await withServer(tokens: []) { server, _ in try await body(server) }
    }

    /// `tokens`: the arguments of each `strata token create`, run before the server starts.
    private func withServer(tokens: [[String]], _ body: (ServerProcess, [String]) async throws -> Void) async throws {
        let dataDir = TemporaryDirectory.uniquePath(prefix: "strata-page")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let created = try tokens.map { try Self.createToken(dataDir: dataDir, arguments: $0) }
        let server = try ServerProcess.start(dataDir: dataDir)
        do {
            try await server.waitForPing()
            try await body(server, created)
            _ = try await server.terminate()
        } catch {
            server.kill()
            throw error
        }
    }

    /// The token `strata token create` prints alone on its last line.
    static func createToken(dataDir: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = try ServerProcess.strataBinary()
        process.arguments = ["token", "create", "--data-dir", dataDir] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // A few lines of output: reading to the end cannot block on a full pipe.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let token = output.split(separator: "\n").last.map({ $0.trimmingCharacters(in: .whitespaces) }), !token.isEmpty
        else {
            throw TestError("strata token create \(arguments) failed (\(process.terminationStatus)): \(output)")
        }
        return token
    }
}

/// Runs scripts/live_page_browser.py; its last output line is a JSON report.
enum BrowserDriver {
    static let setupHint = "run scripts/setup-debian.sh (installs chromium and the Python websocket-client)"
    /// The script waits at most 30 s for each of its ~6 steps; a healthy run takes ~6 s.
    static let timeout: Duration = .seconds(200)

    /// `CHROMIUM` when set, else `chromium` on PATH. Missing is a failure, not a skip: the
    /// page would go untested.
    static func chromium() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"], !path.isEmpty { return path }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in dirs {
            let candidate = "\(dir)/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestError("chromium is not installed (not on PATH, CHROMIUM unset): \(setupHint)")
    }

    static func scriptPath() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/live_page_browser.py").path
    }

    static func run(baseURL: String, chromium: String, extra: [String] = []) async throws -> [String: Any] {
        let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("strata-live-page.png").path
        let output = try await PythonScript.run(
            path: scriptPath(),
            arguments: ["--base-url", baseURL, "--chromium", chromium, "--screenshot", screenshot] + extra,
            timeout: timeout)
        let lastLine = output.output.split(separator: "\n").last.map(String.init) ?? ""
        guard output.status == 0,
            let report = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any],
            report["passed"] as? Bool == true
        else {
            let hint = output.status == 2 || output.status == 127 ? "\n\(setupHint)" : ""
            throw TestError("live page check failed (exit \(output.status)):\n\(output.output)\(hint)")
        }
        return report
    }
}
