import Foundation
import StrataTestSupport
import Testing

/// Runs the Python programs under Tests/differential/ (and the live page's browser driver) with the `python3` on PATH, output to a
/// temporary file (so a chatty program never blocks on a pipe), with a deadline: SIGTERM, then
/// SIGKILL. The programs stop their own servers on SIGTERM, and their servers die with them
/// even on SIGKILL (PR_SET_PDEATHSIG).
enum PythonScript {
    struct Result {
        var status: Int32
        var output: String
    }

    static let setupHint = "run scripts/setup-debian.sh (installs InfluxDB 1.6 and the Python influxdb client)"

    /// Tests/differential/`name` in this package.
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("differential").appendingPathComponent(name).path
    }

    static func run(_ script: String, arguments: [String], timeout: Duration) async throws -> Result {
        let scriptPath = path(script)
        guard FileManager.default.fileExists(atPath: scriptPath) else {
            throw TestError("\(scriptPath) is missing")
        }
        return try await run(path: scriptPath, arguments: arguments, timeout: timeout)
    }

    /// Any Python program of the repository, by its path.
    static func run(path scriptPath: String, arguments: [String], timeout: Duration) async throws -> Result {
        let outURL = URL(fileURLWithPath: TemporaryDirectory.uniquePath(prefix: "strata-py", suffix: ".txt"))
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil) else {
            throw TestError("cannot create \(outURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = out
        do {
            try process.run()
        } catch {
            throw TestError("cannot start python3 (\(error)): \(setupHint)")
        }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                timedOut = true
                process.terminate()
                let killAt = ContinuousClock.now + .seconds(20)
                while process.isRunning, ContinuousClock.now < killAt { try? await Task.sleep(for: .milliseconds(100)) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                break
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        var output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        if timedOut { output += "\n(stopped: no exit within \(timeout))" }
        if process.terminationStatus == 127 { output += "\npython3 not found: \(setupHint)" }
        return Result(status: timedOut ? -1 : process.terminationStatus, output: output)
    }

    /// Long outputs keep their beginning (the first differences) and their end (the summary).
    static func excerpt(_ text: String, head: Int = 24_000, tail: Int = 4_000) -> String {
        guard text.count > head + tail else { return text }
        return String(text.prefix(head)) + "\n[... \(text.count - head - tail) characters left out ...]\n"
            + String(text.suffix(tail))
    }
}
