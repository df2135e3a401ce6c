import Foundation
import StrataTestSupport

/// A finished `strata` child process.
struct StrataRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs the built binary with `stdin` piped in (not a terminal, so the shell reads plain
    /// lines). Bounded by a watchdog.
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> StrataRun {
        let process = Process()
        process.executableURL = try ServerProcess.strataBinary()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["STRATA_HISTORY"] = TemporaryDirectory.uniquePath(prefix: "strata-history")
        env.removeValue(forKey: "STRATA_URL")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        // Drain stderr beside stdout so neither pipe fills up and blocks the child.
        let errData = Collected()
        let errHandle = err.fileHandleForReading
        let errThread = Thread { errData.set(errHandle.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        while !errData.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return StrataRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// What a reader thread collected, handed to the waiting test.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ d: Data) { lock.withLock { data = d } }
        func get() -> Data { lock.withLock { data ?? Data() } }
        var isSet: Bool { lock.withLock { data != nil } }
    }
}
