import StrataCore
import Testing
@testable import StrataQuery

@Suite struct FormatDecoderTests {
    @Test(arguments: [nil, TimeUnit.nanoseconds, .milliseconds])
    func roundTripsWhatTheEncoderWrites(_ epoch: TimeUnit?) throws {
        let results = [
            StatementResult(statementID: 0, series: [
                ResultSeries(name: "m", tags: ["k": "v"], columns: ["time", "f", "i", "u", "s", "b", "n"], values: [
                    [.time(1_704_067_200_000_000_000), .float(1.5), .integer(-3), .unsigned(.max), .string("a\"<b>\n"),
                     .boolean(true), .null],
                ], partial: true),
            ], messages: ["m1"], partial: true),
            StatementResult(statementID: 1, error: "boom"),
        ]
        let text = InfluxJSON.encode(results, options: .init(epoch: epoch, pretty: epoch == nil))
        let decoded = try InfluxJSONDecoder.decode(text, epoch: epoch)
        #expect(decoded.error == nil)
        #expect(decoded.results == results)
    }

    @Test func integralFloatsComeBackAsIntegers() throws {
        let decoded = try InfluxJSONDecoder.decode(#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[["2024-01-01T00:00:00.5Z",12],["x",1e-7]]}]}]}"#)
        #expect(decoded.results[0].series[0].values == [
            [.time(1_704_067_200_500_000_000), .integer(12)], [.string("x"), .float(1e-7)],
        ])
    }

    @Test func topLevelError() throws {
        let decoded = try InfluxJSONDecoder.decode(#"{"error":"error parsing query: found EOF"}"# + "\n")
        #expect(decoded.error == "error parsing query: found EOF")
        #expect(decoded.results.isEmpty)
    }

    @Test(arguments: ["", "{", #"{"results":[}"#, "[1,2]", #"{"a":"\x"}"#, "{} x", #"{"a":01.}"#])
    func malformed(_ text: String) {
        #expect(throws: InfluxJSONDecoder.DecodingError.self) { try InfluxJSONDecoder.decode(text) }
    }

    @Test func unicodeEscapes() throws {
        let value = try JSONScanner.parse(#"["\u00e9\ud83d\ude42\u003c","\/"]"#)
        #expect(value == .array([.string("é🙂<"), .string("/")]))
    }
}

@Suite struct ResultChunkerTests {
    @Test func splitsLongSeriesAndMarksPartials() {
        let long = ResultSeries(name: "m", columns: ["time", "v"], values: (0..<5).map { [.time($0), .integer($0)] })
        let short = ResultSeries(name: "n", columns: ["time", "v"], values: [[.time(9), .integer(9)]])
        let chunks = ResultChunker.chunks([
            StatementResult(statementID: 0, series: [long, short], messages: ["w"]),
            StatementResult(statementID: 1),
        ], size: 2)
        #expect(chunks.map(\.statementID) == [0, 0, 0, 0, 1])
        #expect(chunks.map(\.partial) == [true, true, true, false, false])
        #expect(chunks.map { $0.series.first?.partial } == [true, true, false, false, nil])
        #expect(chunks.map { $0.series.first?.values.count } == [2, 2, 1, 1, nil])
        #expect(chunks.map(\.messages) == [[], [], [], ["w"], []])
        #expect(chunks[1].series[0].values == [[.time(2), .integer(2)], [.time(3), .integer(3)]])
    }

    @Test func seriesWithoutRowsIsOneChunk() {
        let chunks = ResultChunker.chunks([
            StatementResult(statementID: 0, series: [ResultSeries(name: "databases", columns: ["name"], values: [])]),
        ], size: 10)
        #expect(chunks == [StatementResult(statementID: 0, series: [ResultSeries(name: "databases", columns: ["name"], values: [])])])
    }
}
