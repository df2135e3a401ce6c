import StrataCore
import Testing
@testable import StrataQuery

@Suite struct FormatCSVTests {
    static let cases: [(String, [StatementResult], TimeUnit?, String)] = [
        ("one series: nanosecond times, tags, nulls", [StatementResult(statementID: 0, series: [robotSeries])], nil, """
            name,tags,time,battery,moving
            robot,"device_id=robot-0001,fleet=north",1704067200000000000,81.5,true
            robot,"device_id=robot-0001,fleet=north",1704067200500000000,80,

            """),
        ("epoch=s", [StatementResult(statementID: 0, series: [robotSeries])], .seconds, """
            name,tags,time,battery,moving
            robot,"device_id=robot-0001,fleet=north",1704067200,81.5,true
            robot,"device_id=robot-0001,fleet=north",1704067200,80,

            """),
        ("statements separated by an empty line; empty statements skipped", [
            StatementResult(statementID: 0, series: [ResultSeries(name: "databases", columns: ["name"], values: [[.string("robots")]])]),
            StatementResult(statementID: 1),
            StatementResult(statementID: 2, error: "boom"),
            StatementResult(statementID: 3, series: [ResultSeries(name: "m", columns: ["time", "v"], values: [[.time(5), .float(1e21)]])]),
        ], nil, """
            name,tags,name
            databases,,robots

            name,tags,time,v
            m,,5,1000000000000000000000

            """),
        ("columns change within a statement: header again", [
            StatementResult(statementID: 0, series: [
                ResultSeries(name: "a", columns: ["time", "x"], values: [[.time(1), .integer(1)]]),
                ResultSeries(name: "a", tags: ["k": "v"], columns: ["time", "x"], values: [[.time(2), .integer(2)]]),
                ResultSeries(name: "b", columns: ["time", "y"], values: [[.time(3), .unsigned(3)]]),
            ]),
        ], nil, """
            name,tags,time,x
            a,,1,1
            a,k=v,2,2

            name,tags,time,y
            b,,3,3

            """),
        ("quoting and tag escaping", [
            StatementResult(statementID: 0, series: [
                ResultSeries(name: "m,x", tags: ["a b": "c=d", "e": "", "q": "say \"hi\""], columns: ["time", "s"], values: [
                    [.time(0), .string("line\nbreak")], [.time(0), .string(" lead")], [.time(0), .string(#"\."#)],
                    [.time(0), .string("plain")], [.time(0), .float(-0.0)],
                ]),
            ]),
        ], nil, #"""
            name,tags,time,s
            "m,x","a\ b=c\=d,q=say\ \""hi\""",0,"line
            break"
            "m,x","a\ b=c\=d,q=say\ \""hi\""",0," lead"
            "m,x","a\ b=c\=d,q=say\ \""hi\""",0,"\."
            "m,x","a\ b=c\=d,q=say\ \""hi\""",0,plain
            "m,x","a\ b=c\=d,q=say\ \""hi\""",0,-0

            """#),
        ("nothing", [StatementResult(statementID: 0)], nil, ""),
    ]

    @Test(arguments: cases)
    func encode(_ name: String, _ results: [StatementResult], _ epoch: TimeUnit?, _ expected: String) {
        var csv = InfluxCSV(epoch: epoch)
        #expect(csv.encode(results) == expected, "\(name)")
    }

    @Test func chunksOfOneStatementShareOneHeader() {
        var csv = InfluxCSV()
        let chunks = ResultChunker.chunks([StatementResult(statementID: 0, series: [robotSeries])], size: 1)
        let text = chunks.map { csv.encode([$0]) }.joined()
        var whole = InfluxCSV()
        #expect(text == whole.encode([StatementResult(statementID: 0, series: [robotSeries])]))
    }

    @Test func errorBody() {
        #expect(InfluxCSV.encodeError("error parsing query: a, b") == "error\n\"error parsing query: a, b\"\n")
    }
}
