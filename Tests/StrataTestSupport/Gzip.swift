import Foundation

/// gzip through the system's `gzip`, so the test needs no compression library.
public enum Gzip {
    public static func compress(_ data: Data) throws -> Data {
        let input = URL(fileURLWithPath: TemporaryDirectory.uniquePath(prefix: "strata-gz"))
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c", input.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let compressed = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestError("gzip exited with status \(process.terminationStatus)") }
        return compressed
    }
}
