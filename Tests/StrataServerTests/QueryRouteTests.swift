import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataQuery
import StrataServer
import Synchronization
import Testing

/// Answers every query with the same results and records what it was asked, so the HTTP side
/// of /query (parameters, formats, chunking, errors) is tested whatever the parser can do.
final class CannedRunner: QueryRunner {
    let results: [StatementResult]
    let calls = Mutex<[(statements: [Statement], database: String?)]>([])

    init(_ results: [StatementResult]) {
        self.results = results
    }

    func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool)
        async throws(QueryAuthorizationError) -> [StatementResult]
    {
        calls.withLock { $0.append((statements, database)) }
        return results
    }

    var lastCall: (statements: [Statement], database: String?)? { calls.withLock { $0.last } }
}

let cannedSeries = ResultSeries(
    name: "robot", tags: ["device_id": "robot-0001"], columns: ["time", "battery"],
    values: [[.time(1_704_067_200_000_000_000), .float(81.5)], [.time(1_704_067_201_500_000_000), .float(80)]])
let cannedResults = [
    StatementResult(statementID: 0, series: [cannedSeries]),
    StatementResult(statementID: 1, error: "database not found: nope"),
]

/// One /query request against `cannedResults` and its exact answer.
struct QueryCase: CustomTestStringConvertible, Sendable {
    var name: String
    var uri: String
    var method: HTTPRequest.Method = .get
    var headers: HTTPFields = [:]
    var form: String?
    var status: HTTPResponse.Status = .ok
    var contentType = "application/json"
    var body: String
    /// What the runner was given: the statements this text parses to, and the database.
    var asked: (String, String?)? = ("SELECT battery FROM robot", nil)

    var testDescription: String { name }
}

private let json0 = #"{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[["2024-01-01T00:00:00Z",81.5],["2024-01-01T00:00:01.5Z",80]]}]}"#
private let json1 = #"{"statement_id":1,"error":"database not found: nope"}"#
private let csvBody = """
    name,tags,time,battery
    robot,device_id=robot-0001,1704067200000000000,81.5
    robot,device_id=robot-0001,1704067201500000000,80

    """

let queryCases: [QueryCase] = [
    QueryCase(
        name: "GET: q and db, RFC 3339 times, execution error in place with 200",
        uri: "/query?db=robots&q=SELECT+battery+FROM+robot", body: #"{"results":["# + json0 + "," + json1 + "]}\n",
        asked: ("SELECT battery FROM robot", "robots")),
    QueryCase(
        name: "epoch=ms", uri: "/query?q=SELECT%20battery%20FROM%20robot&epoch=ms",
        body: #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[[1704067200000,81.5],[1704067201500,80]]}]},"# + json1 + "]}\n"),
    QueryCase(
        name: "epoch=h truncates", uri: "/query?q=SELECT+battery+FROM+robot&epoch=h",
        body: #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[[473352,81.5],[473352,80]]}]},"# + json1 + "]}\n"),
    QueryCase(
        name: "unknown epoch means nanoseconds, as InfluxDB", uri: "/query?q=SELECT+battery+FROM+robot&epoch=fortnight",
        body: #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[[1704067200000000000,81.5],[1704067201500000000,80]]}]},"# + json1 + "]}\n"),
    QueryCase(
        name: "POST form body with db; q in the body", uri: "/query", method: .post,
        headers: [.contentType: "application/x-www-form-urlencoded"], form: "q=SELECT+battery+FROM+robot&db=fleet",
        body: #"{"results":["# + json0 + "," + json1 + "]}\n", asked: ("SELECT battery FROM robot", "fleet")),
    QueryCase(
        name: "POST: a name in the URL wins over the body", uri: "/query?db=robots", method: .post,
        headers: [.contentType: "application/x-www-form-urlencoded; charset=utf-8"],
        form: "db=fleet&q=SELECT%20battery%20FROM%20robot", body: #"{"results":["# + json0 + "," + json1 + "]}\n",
        asked: ("SELECT battery FROM robot", "robots")),
    QueryCase(
        name: "format=csv", uri: "/query?q=SELECT+battery+FROM+robot&format=csv", contentType: "text/csv", body: csvBody),
    QueryCase(
        name: "Accept: text/csv", uri: "/query?q=SELECT+battery+FROM+robot", headers: [.accept: "text/csv"],
        contentType: "text/csv", body: csvBody),
    QueryCase(
        name: "Accept: application/csv", uri: "/query?q=SELECT+battery+FROM+robot", headers: [.accept: "application/csv"],
        contentType: "application/csv", body: csvBody),
    QueryCase(
        name: "Accept: msgpack first, csv second", uri: "/query?q=SELECT+battery+FROM+robot",
        headers: [.accept: "application/x-msgpack, text/csv;q=0.9"], contentType: "text/csv", body: csvBody),
    QueryCase(
        name: "Accept: json preferred by q", uri: "/query?q=SELECT+battery+FROM+robot",
        headers: [.accept: "text/csv;q=0.5, application/json"], body: #"{"results":["# + json0 + "," + json1 + "]}\n"),
    QueryCase(
        name: "csv with epoch=s", uri: "/query?q=SELECT+battery+FROM+robot&format=csv&epoch=s", contentType: "text/csv",
        body: "name,tags,time,battery\nrobot,device_id=robot-0001,1704067200,81.5\nrobot,device_id=robot-0001,1704067201,80\n"),
    QueryCase(
        name: "chunked: one JSON document per line per chunk", uri: "/query?q=SELECT+battery+FROM+robot&chunked=true&chunk_size=1",
        body: #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[["2024-01-01T00:00:00Z",81.5]],"partial":true}],"partial":true}]}"#
            + "\n"
            + #"{"results":[{"statement_id":0,"series":[{"name":"robot","tags":{"device_id":"robot-0001"},"columns":["time","battery"],"values":[["2024-01-01T00:00:01.5Z",80]]}]}]}"#
            + "\n" + #"{"results":["# + json1 + "]}\n"),
    QueryCase(
        name: "chunked with the default chunk size", uri: "/query?q=SELECT+battery+FROM+robot&chunked=true&chunk_size=bogus",
        body: #"{"results":["# + json0 + "]}\n" + #"{"results":["# + json1 + "]}\n"),
    QueryCase(
        name: "chunked csv: one header", uri: "/query?q=SELECT+battery+FROM+robot&chunked=true&chunk_size=1&format=csv",
        contentType: "text/csv", body: csvBody),
    QueryCase(
        name: "pretty=true", uri: "/query?q=SELECT+battery+FROM+robot&pretty=true&epoch=s",
        body: """
            {
                "results": [
                    {
                        "statement_id": 0,
                        "series": [
                            {
                                "name": "robot",
                                "tags": {
                                    "device_id": "robot-0001"
                                },
                                "columns": [
                                    "time",
                                    "battery"
                                ],
                                "values": [
                                    [
                                        1704067200,
                                        81.5
                                    ],
                                    [
                                        1704067201,
                                        80
                                    ]
                                ]
                            }
                        ]
                    },
                    {
                        "statement_id": 1,
                        "error": "database not found: nope"
                    }
                ]
            }

            """),
    QueryCase(
        name: "parse error: 400 for the whole query", uri: "/query?q=BAD+query", status: .badRequest,
        body: #"{"error":"error parsing query: found BAD, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1"}"# + "\n",
        asked: nil),
    QueryCase(
        name: "parse error in csv", uri: "/query?q=BAD+query&format=csv", status: .badRequest, contentType: "text/csv",
        body: "error\n\"error parsing query: found BAD, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1\"\n", asked: nil),
    QueryCase(
        name: "missing q", uri: "/query?db=robots", status: .badRequest,
        body: #"{"error":"missing required parameter \"q\""}"# + "\n", asked: nil),
    QueryCase(
        name: "blank q is missing", uri: "/query?q=++", status: .badRequest,
        body: #"{"error":"missing required parameter \"q\""}"# + "\n", asked: nil),
    QueryCase(
        name: "bound parameters: strings quoted and escaped, numbers, quoted names", uri: "/query", method: .post,
        headers: [.contentType: "application/x-www-form-urlencoded"],
        form: formEncoded([
            ("q", #"SELECT v FROM m WHERE d = $d AND b > $b AND s = $"x y" AND i = $i"#),
            ("params", #"{"d":"it's","b":92,"x y":1.5,"i":-7}"#),
        ]),
        body: #"{"results":["# + json0 + "," + json1 + "]}\n",
        asked: (#"SELECT v FROM m WHERE d = 'it\'s' AND b > 92 AND s = 1.5 AND i = -7"#, nil)),
    QueryCase(
        name: "bound parameters: not in strings, identifiers, regexes or comments", uri: "/query", method: .post,
        headers: [.contentType: "application/x-www-form-urlencoded"],
        form: formEncoded([
            ("q", "SELECT $f FROM /m$/ WHERE t =~ /a$b/ AND s = '$x' AND \"$y\" = $z AND v / $n > 1 -- $c"),
            ("params", #"{"z":true,"f":{"identifier":"bat\"tery"},"n":2}"#),
        ]),
        body: #"{"results":["# + json0 + "," + json1 + "]}\n",
        asked: (#"SELECT "bat\"tery" FROM /m$/ WHERE t =~ /a$b/ AND s = '$x' AND "$y" = true AND v / 2 > 1 -- $c"#, nil)),
    QueryCase(
        name: "bound parameter without a value", uri: "/query?q=SELECT+%24nope+FROM+m&params=%7B%7D", status: .badRequest,
        body: #"{"error":"error parsing query: missing parameter: nope"}"# + "\n", asked: nil),
    QueryCase(
        name: "params that are not JSON", uri: "/query?q=SELECT+%24d+FROM+m&params=%7Bnope", status: .badRequest,
        body: #"{"error":"error parsing query parameters: invalid JSON at byte 1: expected a member name"}"# + "\n",
        asked: nil),
    QueryCase(
        name: "u and p are ignored", uri: "/query?q=SELECT+battery+FROM+robot&u=admin&p=secret&db=",
        body: #"{"results":["# + json0 + "," + json1 + "]}\n"),
]

/// application/x-www-form-urlencoded, every byte but unreserved ones escaped.
func formEncoded(_ pairs: [(String, String)]) -> String {
    func encode(_ s: String) -> String {
        s.utf8.map { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                ? String(UnicodeScalar(b)) : "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
        }.joined()
    }
    return pairs.map { encode($0) + "=" + encode($1) }.joined(separator: "&")
}

@Suite struct QueryRouteTests {
    @Test(arguments: queryCases)
    func query(_ c: QueryCase) async throws {
        let runner = CannedRunner(cannedResults)
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), queries: runner))
        try await app.test(.router) { client in
            try await client.execute(
                uri: c.uri, method: c.method, headers: c.headers, body: c.form.map { ByteBuffer(string: $0) }
            ) { response in
                #expect(response.status == c.status)
                #expect(response.headers[.contentType] == c.contentType)
                #expect(response.headers[HTTPField.Name("X-Influxdb-Version")!] == "1.8.10-strata")
                #expect(bodyText(response) == c.body)
                if c.status != .ok {
                    #expect(response.headers[HTTPField.Name("X-Influxdb-Error")!] != nil)
                }
            }
        }
        try await engine.close()
        let call = runner.lastCall
        // What the runner got is the statement the text it stands for parses to.
        #expect(call?.statements == c.asked.map { try! QueryParser.parse($0.0) })
        #expect(call?.database == c.asked?.1)
    }

    /// A client's `chunk_size` past 100,000 gets 100,000: two chunks are held while it reads.
    @Test func aHugeChunkSizeIsCapped() async throws {
        let rows = (0..<150_000).map { [QueryValue.time(Int64($0)), .integer(Int64($0))] }
        let runner = CannedRunner([StatementResult(statementID: 0, series: [
            ResultSeries(name: "m", columns: ["time", "v"], values: rows),
        ])])
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(), queries: runner))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/query?q=SELECT+v+FROM+m&chunked=true&chunk_size=1000000", method: .get)
            let lines = bodyText(response).split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.contains(#""partial":true"#) == true)
        }
        try await engine.close()
    }

    @Test func queryOverTheLimitIs413() async throws {
        let runner = CannedRunner([])
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        let app = Application(router: StrataServer.makeRouter(
            engine: engine, configuration: StrataServerConfiguration(limits: .init(maxQueryBytes: 64)), queries: runner))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/query", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "q=" + String(repeating: "x", count: 100))
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        try await engine.close()
    }
}

/// The real executor behind the route.
@Suite
struct QueryRouteExecutorTests {
    @Test func createThenShowDatabases() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/query?q=create%20database%20fleet%3B%20SHOW%20DATABASES", method: .get) {
                #expect(bodyText($0) == #"{"results":[{"statement_id":0},{"statement_id":1,"series":[{"name":"databases","columns":["name"],"values":[["fleet"],["robots"]]}]}]}"# + "\n")
            }
        }
        #expect(fixture.engine.databaseNames() == ["fleet", "robots"])
    }

    @Test func showDatabasesWithNoneLeavesValuesOut() async throws {
        try await ServerFixture(databases: []).test { client in
            try await client.execute(uri: "/query?q=SHOW%20DATABASES", method: .get) { response in
                #expect(bodyText(response)
                    == #"{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"]}]}]}"# + "\n")
            }
        }
    }

    @Test func createdDatabaseAcceptsWrites() async throws {
        try await ServerFixture(databases: []).test { client in
            try await client.execute(uri: "/write?db=fleet", method: .post, body: ByteBuffer(string: "m v=1 1")) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/query", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "q=CREATE+DATABASE+%22fleet%22")
            ) {
                #expect($0.status == .ok)
                #expect(bodyText($0) == #"{"results":[{"statement_id":0}]}"# + "\n")
            }
            try await client.execute(uri: "/write?db=fleet", method: .post, body: ByteBuffer(string: "m v=1 1")) {
                #expect($0.status == .noContent)
            }
        }
    }

    @Test func parseErrorIs400() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/query?q=SELECT", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(bodyText(response).hasPrefix(#"{"error":"error parsing query: "#))
            }
        }
    }
}
