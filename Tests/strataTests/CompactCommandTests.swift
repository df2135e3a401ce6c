import Foundation
import StrataCore
import StrataTestSupport
import Testing

/// `strata compact` and the retention flags of `strata serve`, as real processes.
@Suite(.serialized) struct CompactCommandTests {
    @Test(arguments: [
        (["--raw-retention", "7x"], "--raw-retention"), (["--rollups", "r=7m"], "--rollups"),
        (["--compaction-rate", "fast"], "--compaction-rate"), (["--shard-duration", "5h"], "--shard-duration"),
    ])
    func serveRefusesABadFlagNamingIt(_ flags: [String], _ named: String) throws {
        let dir = try TemporaryDirectory(prefix: "strata-compact").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try StrataRun.run(["serve", "--data-dir", "\(dir)/data", "--http", "127.0.0.1:0"] + flags)
        #expect(run.status != 0)
        #expect(run.stderr.contains(named), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/data"), "a refused start touched the data directory")
    }

    @Test func compactRefusesADirectoryAServerHolds() async throws {
        let dir = try TemporaryDirectory(prefix: "strata-compact").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let run = try StrataRun.run(["compact", "--data-dir", dir])
        #expect(run.status != 0)
        #expect(run.stderr.contains("in use"), "\(run.stderr)")
    }

    // Needs the engine's compaction.
    @Test func compactMergesImportedSegmentsAndPrintsTheReport() async throws {
        let dir = try TemporaryDirectory(prefix: "strata-compact").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for k in 0..<2 {
            let file = "\(dir)/in\(k).lp"
            try Data("m,id=a v=\(k)i \(1_704_067_200 + k * 86_400)\n".utf8).write(to: URL(fileURLWithPath: file))
            #expect(try StrataRun.run(["import", file, "--data-dir", "\(dir)/data", "--db", "db", "--precision", "s"]).status == 0)
        }
        let run = try StrataRun.run(["compact", "--data-dir", "\(dir)/data", "--rollups", "r1h=1h"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("partitions written: 2\n"), "\(run.stdout)")
        #expect(run.stdout.contains("segments merged: 2\n"), "\(run.stdout)")
        #expect(run.stdout.contains("tier files written: 2\n"), "\(run.stdout)")
        let engine = try await StorageEngine.open(directory: "\(dir)/data")
        let partitions = engine.partitions(database: "db")
        let rows = try await engine.scan(database: "db", measurement: "m")
        try await engine.close()
        #expect(partitions.count == 2)
        #expect(partitions.allSatisfy { $0.rawFile != nil && $0.uncompactedSegments == 0 && $0.tiers.map(\.name) == ["r1h"] })
        #expect(rows.first?.timestamps.count == 2)
    }
}
