import StrataTestSupport
import Testing
@testable import StrataQuery

/// The chunks of an answer that arrives in parts are exactly those of the same answer
/// chunked whole (`ResultChunker`, InfluxDB's chunking), however the parts are cut.
struct ResultStreamChunkerTests {
    static func answer(_ rng: inout SplitMix64) -> [StatementResult] {
        (0..<Int(rng.next() % 3 + 1)).map { id in
            var result = StatementResult(statementID: id)
            for s in 0..<Int(rng.next() % 4) {
                let rows = Int(rng.next() % 25) + 1
                result.series.append(ResultSeries(name: "m", tags: ["host": "h\(s)"], columns: ["time", "v"],
                                                  values: (0..<rows).map { [.time(Int64($0)), .integer(Int64($0))] }))
            }
            if rng.next() % 4 == 0 { result.error = "boom" }
            if rng.next() % 4 == 0 { result.messages = ["note"] }
            return result
        }
    }

    @Test(arguments: 0..<200)
    func streamedChunksEqualWholeChunks(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let results = Self.answer(&rng)
        let size = Int(rng.next() % 8) + 1
        var chunker = ResultStreamChunker(size: size)
        var streamed: [StatementResult] = []
        for result in results {
            // Some statements stream their series in random parts, others pass them whole.
            var end = result
            if rng.next() % 2 == 0 {
                end.series = []
                for series in result.series {
                    var start = 0
                    while start < series.values.count {
                        let n = Int(rng.next() % 9) + 1
                        var part = series
                        part.values = Array(series.values[start..<min(start + n, series.values.count)])
                        streamed += chunker.add(part, statementID: result.statementID)
                        start += n
                    }
                }
            }
            streamed += chunker.end(end)
        }
        #expect(streamed == ResultChunker.chunks(results, size: size))
    }
}
