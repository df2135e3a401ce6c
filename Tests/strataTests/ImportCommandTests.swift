import Foundation
import StrataCore
import StrataTestSupport
import Testing

/// `strata import` as a real process: chunking across the 4 MiB boundary, line numbers in
/// rejections, the exit status, stdin, and what the engine holds afterwards.
@Suite(.serialized)
struct ImportCommandTests {
    @Test func importsAcrossChunksAndReportsRejectedLinesWithFileLineNumbers() async throws {
        let dir = URL(fileURLWithPath: TemporaryDirectory.uniquePath(prefix: "strata-import"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // ~1 KiB lines: 9000 of them span three 4 MiB chunks; line 5000 sits in the second.
        let padding = String(repeating: "x", count: 1_000)
        var text = ""
        for line in 1...9_000 {
            text += line == 5_000 ? "imp,id=a v=oops \(line)\n" : "imp,id=a v=\(line)i,s=\"\(padding)\" \(line)\n"
        }
        let file = dir.appendingPathComponent("data.lp")
        try Data(text.utf8).write(to: file)
        let dataDir = dir.appendingPathComponent("data").path

        let run = try runStrata(["import", file.path, "--data-dir", dataDir, "--db", "robots", "--batch-lines", "700"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("lines: 9000\n"))
        #expect(run.stdout.contains("values: 17998\n"))
        #expect(run.stdout.contains("rejected lines: 1\n"))
        #expect(run.stdout.contains("\(file.path):5000: unable to parse"))

        let engine = try await StorageEngine.open(directory: dataDir)
        let rows = try await engine.scan(database: "robots", measurement: "imp")
        // `import` flushes at the end: the data is in a segment, not only in the WAL.
        let segments = engine.stats().segmentCount
        try await engine.close()
        #expect(rows.count == 1)
        #expect(rows.first?.timestamps == (1...9_000).filter { $0 != 5_000 }.map(Int64.init))
        #expect(segments >= 1)
    }

    @Test func readsStdinWithPrecision() async throws {
        let dir = URL(fileURLWithPath: TemporaryDirectory.uniquePath(prefix: "strata-import"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runStrata(["import", "-", "--data-dir", dir.path, "--precision", "s"], stdin: "m v=1 5\nm v=2 6")
        #expect(run.status == 0)
        #expect(run.stdout.contains("rejected lines: 0\n"))
        let engine = try await StorageEngine.open(directory: dir.path)
        let rows = try await engine.scan(database: "strata", measurement: "m")
        try await engine.close()
        #expect(rows.first?.timestamps == [5_000_000_000, 6_000_000_000])
    }

    private func runStrata(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = try ServerProcess.strataBinary()
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // readDataToEndOfFile returns when the process closes stdout, i.e. when it exits;
        // the watchdog bounds that wait.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
