import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataServer
import Testing

/// One /query request and its exact answer.
struct QueryCase: CustomTestStringConvertible, Sendable {
    var name: String
    var uri: String
    var method: HTTPRequest.Method = .get
    var form: String?
    var status: HTTPResponse.Status = .ok
    var body: String
    /// Databases the engine holds afterwards.
    var databases: [String] = ["robots"]

    var testDescription: String { name }
}

let queryCases: [QueryCase] = [
    QueryCase(
        name: "SHOW DATABASES", uri: "/query?q=SHOW+DATABASES",
        body: #"{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["robots"]]}]}]}"#),
    QueryCase(
        name: "CREATE DATABASE then SHOW DATABASES in one query",
        uri: "/query?q=create%20database%20fleet%3B%20SHOW%20DATABASES",
        body: #"{"results":[{"statement_id":0},{"statement_id":1,"series":[{"name":"databases","columns":["name"],"values":[["fleet"],["robots"]]}]}]}"#,
        databases: ["fleet", "robots"]),
    QueryCase(
        name: "CREATE DATABASE from a form POST, quoted name", uri: "/query", method: .post,
        form: "q=CREATE+DATABASE+%22north-fleet%22", body: #"{"results":[{"statement_id":0}]}"#,
        databases: ["north-fleet", "robots"]),
    QueryCase(
        name: "CREATE DATABASE of an existing database is a no-op", uri: "/query?q=CREATE+DATABASE+robots",
        body: #"{"results":[{"statement_id":0}]}"#),
    QueryCase(
        name: "unsupported statement fails the whole query", uri: "/query?q=CREATE+DATABASE+a%3BSELECT+*+FROM+m",
        status: .badRequest,
        body: #"{"error":"error parsing query: not supported yet (this server answers only CREATE DATABASE <name> and SHOW DATABASES): SELECT * FROM m"}"#),
    QueryCase(
        name: "missing q", uri: "/query?db=robots", status: .badRequest,
        body: #"{"error":"missing required parameter \"q\""}"#),
    QueryCase(
        name: "invalid bare name", uri: "/query?q=CREATE+DATABASE+north-fleet", status: .badRequest,
        body: #"{"error":"error parsing query: invalid database name north-fleet"}"#),
]

@Suite struct QueryRouteTests {
    @Test(arguments: queryCases)
    func query(_ c: QueryCase) async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            var headers: HTTPFields = [:]
            if c.form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
            try await client.execute(
                uri: c.uri, method: c.method, headers: headers, body: c.form.map { ByteBuffer(string: $0) }
            ) { response in
                #expect(response.status == c.status)
                #expect(bodyText(response) == c.body + "\n")
            }
        }
        #expect(fixture.engine.databaseNames() == c.databases)
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
            try await client.execute(uri: "/query?q=CREATE+DATABASE+fleet", method: .post) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/write?db=fleet", method: .post, body: ByteBuffer(string: "m v=1 1")) {
                #expect($0.status == .noContent)
            }
        }
    }
}
