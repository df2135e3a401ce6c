import Foundation
import StrataTestSupport
import Testing

/// Kills a real `strata serve` with SIGKILL in the middle of a compaction, restarts it, and
/// checks that queries answer exactly as before (nothing lost, nothing counted twice); then
/// lets a compaction finish and checks again, with and without rollup tiers.
@Suite(.serialized) struct ServeCompactionKillTests {
    static let base: Int64 = 1_704_067_200_000_000_000
    static let series = 20
    /// Two days at one point per 80 s per series: 43,200 points. Few, because the suite runs
    /// on a debug build: there compaction folds some 25,000 rows a second, and a loaded CI
    /// machine several times fewer.
    static let step: Int64 = 80_000_000_000
    static let points = 2_160
    static let imports = 3

    /// Import `k` holds every third point, so each flushed segment spans both days and the
    /// compaction merges three segments into two partitions.
    static func lines(importNumber k: Int) -> String {
        var text = ""
        for i in stride(from: k, to: points, by: imports) {
            for s in 0..<series {
                text += "crash,dev=d\(s) v=\((i * 7 + s * 13) % 1_000)i \(base + Int64(i) * step)\n"
            }
        }
        return text
    }

    static let queries = [
        "SELECT count(v), sum(v) FROM crash GROUP BY *",
        "SELECT count(v), sum(v), min(v), max(v), first(v), last(v) FROM crash "
            + "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-03T00:00:00Z' GROUP BY time(1h), *",
    ]

    static func answers(_ server: ServerProcess, tiers: String = "on") async throws -> [String] {
        var out: [String] = []
        for q in queries {
            let url = "\(server.baseURL)/query?db=crash&tiers=\(tiers)&q=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let answer = try await HTTP.send("GET", url, timeout: 60)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(!answer.text.contains("error"), "\(answer.text)")
            out.append(answer.text)
        }
        return out
    }

    static func isCompacting(_ server: ServerProcess) async -> Bool {
        guard let health = try? await HTTP.send("GET", "\(server.baseURL)/health", timeout: 5) else { return false }
        return health.text.contains(#""compacting":true"#)
    }

    @Test func sigkillDuringCompactionLosesAndDoublesNothing() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-compact-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for k in 0..<Self.imports {
            let file = "\(dir)/part\(k).lp"
            try Data(Self.lines(importNumber: k).utf8).write(to: URL(fileURLWithPath: file))
            let run = try StrataRun.run(["import", file, "--data-dir", "\(dir)/data", "--db", "crash"])
            #expect(run.status == 0, "\(run.stderr)")
        }

        // Slow compaction (16 KiB/s: about three seconds for these rows) so the kill lands inside it.
        let slow = try ServerProcess.start(dataDir: "\(dir)/data", extraArguments: ["--compaction-rate", "16K"])
        defer { slow.kill() }
        try await slow.waitForPing()
        let before = try await Self.answers(slow)
        #expect(before[0].components(separatedBy: "\"dev\"").count - 1 == Self.series, "\(before[0])")

        let compaction = Task { try? await HTTP.send("POST", "\(slow.baseURL)/compact", timeout: 120) }
        var sawCompaction = false
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if await Self.isCompacting(slow) {
                sawCompaction = true
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        let stillCompacting = await Self.isCompacting(slow)
        slow.kill()
        _ = await compaction.value
        #expect(sawCompaction && stillCompacting, "the kill did not land inside a compaction")

        let restarted = try ServerProcess.start(dataDir: "\(dir)/data")
        defer { restarted.kill() }
        try await restarted.waitForPing()
        #expect(try await Self.answers(restarted) == before, "answers changed after a crash inside a compaction")

        // Compaction threads run at nice 10: beside a busy test process a 2 s compaction
        // takes a minute and more.
        let done = try await HTTP.send("POST", "\(restarted.baseURL)/compact", timeout: 600)
        #expect(done.status == 200, "\(done.text)")
        let shards = try await HTTP.send("GET", "\(restarted.baseURL)/query?q=SHOW+SHARDS", timeout: 30)
        #expect(shards.text.components(separatedBy: #""autogen""#).count - 1 == 2, "two day partitions: \(shards.text)")
        #expect(try await Self.answers(restarted) == before, "answers changed after compaction (tiers on)")
        #expect(try await Self.answers(restarted, tiers: "off") == before, "answers changed after compaction (raw only)")
        #expect(try await restarted.terminate() == 0)
    }
}
