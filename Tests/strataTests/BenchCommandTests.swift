import Foundation
import StrataTestSupport
import Testing
@testable import strata

/// `strata bench` as a user runs it, on a tiny workload against the Strata it starts itself:
/// the files it writes and the numbers in them.
@Suite struct BenchCommandTests {
    @Test(.timeLimit(.minutes(3))) func aTinyRunReportsWhatItMeasured() throws {
        let dir = try TemporaryDirectory(prefix: "strata-bench")
        defer { dir.remove() }
        let run = try StrataRun.run(["bench", "--devices", "3", "--duration", "10m", "--query-runs", "2",
                                     "--output", dir.path + "/out", "--report", dir.path + "/out.html"])
        #expect(run.status == 0, "\(run.stderr)")
        let results = try JSONDecoder().decode(BenchResults.self, from: Data(contentsOf: URL(fileURLWithPath: dir.path + "/out.json")))
        #expect(results.workload.lines == 3 * 600)
        #expect(results.workload.values == 3 * 600 * 10)
        #expect(results.agree, "\(results.disagreements)")
        let strata = try #require(results.systems.first)
        #expect(strata.name == .strata && strata.local && strata.error == nil)
        #expect(strata.valuesPerSecond > 0 && strata.ingestSeconds > 0)
        #expect((strata.serverCPUSeconds ?? 0) > 0 && (strata.valuesPerCPUSecond ?? 0) > 0)
        #expect((strata.peakRSSBytes ?? 0) > 1 << 20)
        #expect((strata.diskBytes ?? 0) > 0)
        #expect(strata.bytesPerValue == Double(strata.diskBytes ?? 0) / 18_000)
        let answers = Dictionary(uniqueKeysWithValues: strata.queries.map { ($0.id, $0) })
        #expect(answers.count == 6)
        #expect(answers[.q1]?.answer.values == 30, "last point: 3 devices × 10 fields")
        #expect(answers[.q2]?.answer.values == 6_000, "the raw part: 600 samples × 10 fields")
        #expect(answers[.q3]?.answer.values == 20, "10 minutes × 2 aggregates")
        #expect(answers[.q4].map { $0.answer.values > 0 } == true)
        for q in strata.queries {
            #expect(q.runsMilliseconds.count == 2 && q.p50Milliseconds <= q.p99Milliseconds, "\(q.id)")
        }

        let table = run.stdout
        #expect(table.contains("18,000 values") && table.contains("all systems agree"), "\(table)")
        let markdown = try String(contentsOfFile: dir.path + "/out.md", encoding: .utf8)
        #expect(markdown.contains("| strata |"))
        let page = try String(contentsOfFile: dir.path + "/out.html", encoding: .utf8)
        #expect(page.components(separatedBy: "<svg").count - 1 == 4, "four charts")
        #expect(!page.contains("src=") && !page.contains("href=") && !page.contains("@import"), "nothing loaded from elsewhere")
    }

    @Test func theWorkloadCanBeWrittenToAFileForOtherTools() throws {
        let dir = try TemporaryDirectory(prefix: "strata-bench")
        defer { dir.remove() }
        let run = try StrataRun.run(["bench", "--devices", "4", "--duration", "90s", "--seed", "7", "--write-workload", dir.path + "/w.lp"])
        #expect(run.status == 0, "\(run.stderr)")
        var fleet = RobotFleet(RobotFleet.Parameters(devices: 4, ticks: 90, seed: 7))
        let written = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/w.lp"))
        #expect(Array(written) == fleet.batches(lines: 5_000).flatMap { $0 })
        #expect(run.stdout.isEmpty, "no benchmark ran")
    }

    @Test(arguments: [
        (["--duration", "0"], "--duration"), (["--duration", "6y"], "--duration"), (["--rate", "0"], "--rate"),
        (["--jitter-ms", "1000"], "--jitter-ms"), (["--compare", "mysql=http://x"], "--compare"),
        (["--devices", "0"], "--devices"), (["--devices", "1000000", "--duration", "30d"], "limit is"),
        (["--start-peers", "--compare", "influxdb=http://127.0.0.1:1"], "not both"),
    ])
    func refusesABadFlagNamingIt(_ flags: [String], _ named: String) throws {
        let run = try StrataRun.run(["bench"] + flags)
        #expect(run.status != 0)
        #expect(run.stderr.contains(named), "\(run.stderr)")
    }
}
