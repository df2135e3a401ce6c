import Testing
@testable import StrataQuery

let robotSeries = ResultSeries(
    name: "robot", tags: ["fleet": "north", "device_id": "robot-0001"], columns: ["time", "battery", "moving"],
    values: [
        [.time(1_704_067_200_000_000_000), .float(81.5), .boolean(true)],
        [.time(1_704_067_200_500_000_000), .float(80), .null],
    ])

@Suite struct FormatJSONTests {
    static let escapes: [(String, String)] = [
        ("plain", #""plain""#),
        ("a\"b", #""a\"b""#),
        ("back\\slash", #""back\\slash""#),
        ("<a&b>", #""\u003ca\u0026b\u003e""#),
        ("line\nnext\ttab\r", #""line\nnext\ttab\r""#),
        ("\u{8}\u{c}\u{1}\u{1f}", #""\u0008\u000c\u0001\u001f""#),
        ("\u{2028}\u{2029}", #""\u2028\u2029""#),
        // Other characters that start with the same UTF-8 bytes (E2, E2 80) pass through.
        ("€…\u{2028}x", "\"€…\\u2028x\""),
        ("é漢🙂/\u{7f}", "\"é漢🙂/\u{7f}\""),
        ("", #""""#),
    ]

    @Test(arguments: escapes)
    func stringEscaping(_ text: String, _ expected: String) {
        #expect(GoJSONWriter.quoted(text) == expected)
    }

    static let documents: [(String, [StatementResult], InfluxJSON.Options, String)] = [
        ("series with sorted tags and RFC 3339 times", [StatementResult(statementID: 0, series: [robotSeries])], .init(),
         #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001","fleet":"north"},"columns":["time","battery","moving"],"values":[["2024-01-01T00:00:00Z",81.5,true],["2024-01-01T00:00:00.5Z",80,null]]}]}]}"#),
        ("epoch=ms", [StatementResult(statementID: 0, series: [robotSeries])], .init(epoch: .milliseconds),
         #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001","fleet":"north"},"columns":["time","battery","moving"],"values":[[1704067200000,81.5,true],[1704067200500,80,null]]}]}]}"#),
        ("no series, no tags, no values", [
            StatementResult(statementID: 0),
            StatementResult(statementID: 1, series: [ResultSeries(name: "databases", columns: ["name"], values: [])]),
        ], .init(), #"{"results":[{"statement_id":0},{"statement_id":1,"series":[{"name":"databases","columns":["name"]}]}]}"#),
        ("statement error and messages", [
            StatementResult(statementID: 0, messages: ["deprecated"], error: "database not found: nope"),
        ], .init(), #"{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated"}],"error":"database not found: nope"}]}"#),
        ("partial chunk", [
            StatementResult(statementID: 2, series: [ResultSeries(name: "m", columns: ["time", "v"], values: [[.time(0), .integer(-7)]], partial: true)], partial: true),
        ], .init(), #"{"results":[{"statement_id":2,"series":[{"name":"m","columns":["time","v"],"values":[["1970-01-01T00:00:00Z",-7]],"partial":true}],"partial":true}]}"#),
        ("integers, unsigned, strings, NaN as null", [
            StatementResult(statementID: 0, series: [ResultSeries(name: "m", columns: ["time", "i", "u", "s", "f"], values: [
                [.time(1), .integer(.min), .unsigned(.max), .string("a<b"), .float(.nan)],
            ])]),
        ], .init(epoch: .nanoseconds),
         #"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","i","u","s","f"],"values":[[1,-9223372036854775808,18446744073709551615,"a\u003cb",null]]}]}]}"#),
        ("no results at all", [], .init(), "{}"),
    ]

    @Test(arguments: documents)
    func encode(_ name: String, _ results: [StatementResult], _ options: InfluxJSON.Options, _ expected: String) {
        #expect(InfluxJSON.encode(results, options: options) == expected, "\(name)")
    }

    @Test func prettyIndentsLikeMarshalIndent() {
        let results = [
            StatementResult(statementID: 0, series: [
                ResultSeries(name: "robot", tags: ["device_id": "r1"], columns: ["time", "v"],
                             values: [[.time(0), .float(1.5)]]),
                ResultSeries(name: "empty", columns: [], values: []),
            ]),
            StatementResult(statementID: 1),
        ]
        let expected = """
            {
                "results": [
                    {
                        "statement_id": 0,
                        "series": [
                            {
                                "name": "robot",
                                "tags": {
                                    "device_id": "r1"
                                },
                                "columns": [
                                    "time",
                                    "v"
                                ],
                                "values": [
                                    [
                                        "1970-01-01T00:00:00Z",
                                        1.5
                                    ]
                                ]
                            },
                            {
                                "name": "empty"
                            }
                        ]
                    },
                    {
                        "statement_id": 1
                    }
                ]
            }
            """
        #expect(InfluxJSON.encode(results, options: .init(pretty: true)) == expected)
    }

    @Test func prettyEmptyContainers() {
        var w = GoJSONWriter(pretty: true)
        w.beginObject()
        w.key("a")
        w.beginArray()
        w.endArray()
        w.key("b")
        w.beginObject()
        w.endObject()
        w.endObject()
        #expect(w.text == "{\n    \"a\": [],\n    \"b\": {}\n}")
    }

    @Test func errorBody() {
        #expect(InfluxJSON.encodeError("error parsing query: found EOF") == #"{"error":"error parsing query: found EOF"}"#)
        #expect(InfluxJSON.encodeError("x", pretty: true) == "{\n    \"error\": \"x\"\n}")
    }
}
