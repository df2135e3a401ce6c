import Foundation
import Testing
@testable import strata

/// How `strata bench` reads each server's answers and prints what it measured.
@Suite struct BenchReportTests {
    @Test func influxAnswersCountNumbersAndBooleansNotTimesOrStrings() throws {
        let body = #"{"results":[{"statement_id":0,"series":[{"name":"robot","columns":["time","a","b","c","d"],"values":[[1,2.5,true,"x",null],[2,-1,false,"y",3]]}]}]}"#
        let answer = try BenchAnswer.influx(Data(body.utf8))
        #expect(answer == BenchAnswer(series: 1, values: 5, digest: 2.5 + 1 - 1 + 0 + 3))
        #expect(throws: BenchAnswer.Failure.self) { try BenchAnswer.influx(Data(#"{"results":[{"error":"boom"}]}"#.utf8)) }
    }

    @Test func prometheusAnswersCountEveryPoint() throws {
        let body = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2.5"],[2,"3"]]},{"metric":{},"value":[3,"-1"]}]}}"#
        #expect(try BenchAnswer.prometheus(Data(body.utf8)) == BenchAnswer(series: 2, values: 3, digest: 4.5))
    }

    @Test func answersAgreeWithinAMillionth() {
        let a = BenchAnswer(series: 1, values: 10, digest: 1_000_000)
        #expect(a.agrees(with: BenchAnswer(series: 2, values: 10, digest: 1_000_000.5)))
        #expect(!a.agrees(with: BenchAnswer(series: 1, values: 10, digest: 1_000_002)))
        #expect(!a.agrees(with: BenchAnswer(series: 1, values: 11, digest: 1_000_000)))
    }

    @Test func percentilesAreNearestRank() {
        let runs = (1...10).map(Double.init)
        #expect(BenchRunner.percentile(runs, 0.5) == 5)
        #expect(BenchRunner.percentile(runs, 0.99) == 10)
        #expect(BenchRunner.percentile([7], 0.5) == 7)
    }

    static func results(strataQ1: BenchAnswer, influxQ1: BenchAnswer) -> BenchResults {
        let p = RobotFleet.Parameters(devices: 2, ticks: 60)
        func system(_ kind: BenchSystem.Kind, _ q1: BenchAnswer) -> BenchResults.System {
            var s = BenchResults.System(name: kind, url: "http://127.0.0.1:1", local: true)
            s.valuesPerSecond = 1_234_567.4
            s.valuesPerCPUSecond = 2_000_000
            s.peakRSSBytes = 64 << 20
            s.diskBytes = 3 << 20
            s.bytesPerValue = 0.5
            s.queries = [.init(id: .q1, text: "q", p50Milliseconds: 1.25, p99Milliseconds: 2, runsMilliseconds: [1.25, 2], answer: q1)]
            return s
        }
        var r = BenchResults(
            workload: .init(devices: 2, seconds: 60, intervalNanoseconds: 1_000_000_000, jitterMilliseconds: 0, seed: 42,
                            lines: 120, values: 1_200, batchLines: 5_000, connections: 2, bytes: 24_000),
            window: BenchWindow(p, hotDevices: 0), systems: [system(.strata, strataQ1), system(.influxdb, influxQ1)])
        r.checkAgreement()
        return r
    }

    @Test func theTableShowsEachSystemsFiguresAndTheVerdict() {
        let agreeing = Self.results(strataQ1: .init(series: 2, values: 20, digest: 5), influxQ1: .init(series: 2, values: 20, digest: 5))
        #expect(agreeing.agree)
        let (header, rows) = BenchReport.rows(agreeing)
        #expect(header.prefix(6) == ["system", "values/s", "values/CPU-s", "peak RSS MiB", "disk MiB", "B/value"])
        #expect(rows[0] == ["strata", "1,234,567", "2,000,000", "64", "3.0", "0.500", "1.2 / 2.0", "-", "-", "-", "-", "-"],
                "\(rows[0])")
        let table = BenchReport.table(agreeing)
        #expect(table.contains("strata ") && table.contains("1,234,567") && table.contains("all systems agree"), "\(table)")

        let differing = Self.results(strataQ1: .init(series: 2, values: 20, digest: 5), influxQ1: .init(series: 2, values: 20, digest: 6))
        #expect(!differing.agree)
        #expect(differing.disagreements.contains { $0.hasPrefix("Q1: influxdb") }, "\(differing.disagreements)")
        #expect(BenchReport.table(differing).contains("DISAGREE"))
    }

    @Test func expectedCountsAreChecked() {
        let short = Self.results(strataQ1: .init(series: 2, values: 19, digest: 5), influxQ1: .init(series: 2, values: 19, digest: 5))
        #expect(short.disagreements.contains { $0.contains("expected 20") }, "\(short.disagreements)")
    }
}
