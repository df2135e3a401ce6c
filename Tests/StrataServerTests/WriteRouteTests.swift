import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataServer
import Testing

/// One request to a write route and everything expected back.
struct WriteCase: CustomTestStringConvertible, Sendable {
    var name: String
    var uri: String
    var headers: HTTPFields = [:]
    var body: @Sendable () throws -> ByteBuffer
    var maxBodyBytes = 1 << 20
    var status: HTTPResponse.Status
    /// The exact `error` of the JSON body; nil for a 204.
    var error: String?
    /// Rows of measurement `m` in `db` afterwards, as (timestamp, value of `v`).
    var db = "robots"
    var rows: [(Int64, FieldValue)] = []

    var testDescription: String { name }
}

private func text(_ s: String) -> @Sendable () throws -> ByteBuffer { { ByteBuffer(string: s) } }

let writeCases: [WriteCase] = [
    WriteCase(
        name: "v1 write answers 204 and stores every line", uri: "/write?db=robots",
        body: text("m,id=a v=1 1000\nm,id=a v=2 2000\n"), status: .noContent,
        rows: [(1000, .float(1)), (2000, .float(2))]),
    WriteCase(
        name: "v1 rp names the raw policy; precision=ms scales", uri: "/write?db=robots&rp=autogen&precision=ms",
        body: text("m v=1i 7"), status: .noContent, rows: [(7_000_000, .integer(1))]),
    WriteCase(
        name: "gzip body", uri: "/write?db=robots", headers: .gzip,
        body: { try gzipped("m v=1 1\nm v=2 2\nm v=3 3") }, status: .noContent,
        rows: [(1, .float(1)), (2, .float(2)), (3, .float(3))]),
    WriteCase(
        name: "v2 write creates the bucket's database", uri: "/api/v2/write?org=acme&bucket=fleet&precision=s",
        body: text("m v=true 5"), status: .noContent, db: "fleet", rows: [(5_000_000_000, .boolean(true))]),
    WriteCase(
        name: "partial write: good lines stored, first bad line named, all drops counted",
        uri: "/write?db=robots", body: text("m v=1 1\nm v= 2\nm v=3 3\nm v=4i 4\nm,t v=5 5"),
        status: .badRequest,
        error: "partial write: unable to parse 'm v= 2': missing field value (line 2, column 5) dropped=3",
        rows: [(1, .float(1)), (3, .float(3))]),
    WriteCase(
        name: "engine rejection alone is a partial write naming the field and types",
        uri: "/write?db=robots", body: text("m v=1 1\nm v=\"x\" 2"), status: .badRequest,
        error: "partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, "
            + "already exists as type float (line 2) dropped=1",
        rows: [(1, .float(1))]),
    WriteCase(
        name: "nothing valid: the first error, nothing written", uri: "/write?db=robots",
        body: text("m v= 1\nalso bad"), status: .badRequest,
        error: "unable to parse 'm v= 1': missing field value (line 1, column 5)"),
    WriteCase(
        name: "empty body is a no-op", uri: "/write?db=robots", body: text(""), status: .noContent),
    WriteCase(
        name: "missing db", uri: "/write", body: text("m v=1 1"), status: .badRequest,
        error: "database is required"),
    WriteCase(
        name: "unknown db", uri: "/write?db=nope", body: text("m v=1 1"), status: .notFound,
        error: "database not found: \"nope\""),
    WriteCase(
        name: "unknown rp", uri: "/write?db=robots&rp=nope", body: text("m v=1 1"), status: .notFound,
        error: "retention policy not found: nope"),
    WriteCase(
        name: "v2 bucket db/rp writes to that policy", uri: "/api/v2/write?bucket=robots/autogen&precision=s",
        body: text("m v=2 3"), status: .noContent, rows: [(3_000_000_000, .float(2))]),
    WriteCase(
        name: "v2 bucket db/rp with an unknown rp", uri: "/api/v2/write?bucket=robots/nope", body: text("m v=1 1"),
        status: .notFound, error: "retention policy not found: nope"),
    WriteCase(
        name: "v2 bucket db/rp does not create the database", uri: "/api/v2/write?bucket=nope/autogen",
        body: text("m v=1 1"), status: .notFound, error: "database not found: \"nope\""),
    WriteCase(
        name: "bad v1 precision", uri: "/write?db=robots&precision=fortnight", body: text("m v=1 1"),
        status: .badRequest, error: "invalid precision \"fortnight\" (use n, ns, u, us, ms, s, m or h)"),
    WriteCase(
        name: "v2 refuses precision h", uri: "/api/v2/write?bucket=robots&precision=h", body: text("m v=1 1"),
        status: .badRequest, error: "invalid precision \"h\" (use ns, us, ms or s)"),
    WriteCase(
        name: "missing bucket", uri: "/api/v2/write?org=acme", body: text("m v=1 1"), status: .badRequest,
        error: "bucket is required"),
    WriteCase(
        name: "body over the limit", uri: "/write?db=robots", body: text(String(repeating: "m v=1 1\n", count: 200)),
        maxBodyBytes: 1_024, status: .contentTooLarge,
        error: "request entity too large: body exceeds the limit of 1024 bytes"),
    WriteCase(
        name: "gzip bomb stops at the limit", uri: "/write?db=robots", headers: .gzip,
        body: { try gzipped(String(repeating: "m v=1 1\n", count: 1 << 17)) }, maxBodyBytes: 64 << 10,
        status: .contentTooLarge,
        error: "request entity too large: decompressed body exceeds the limit of 65536 bytes"),
    WriteCase(
        name: "corrupt gzip", uri: "/write?db=robots", headers: .gzip, body: text("not gzip at all"),
        status: .badRequest, error: "unable to decompress gzip body: corruptData"),
    WriteCase(
        name: "truncated gzip", uri: "/write?db=robots", headers: .gzip,
        body: { let full = try gzipped("m v=1 1\n"); return full.getSlice(at: 0, length: full.readableBytes - 8)! },
        status: .badRequest, error: "unable to decompress gzip body: unexpected end of data"),
    WriteCase(
        name: "gzip body inflating to exactly the limit", uri: "/write?db=robots",
        headers: .gzip, body: { try gzipped((1...20_000).map { "m v=1 \($0)\n" }.joined()) },
        maxBodyBytes: 228_894, status: .noContent, rows: (1...20_000).map { (Int64($0), FieldValue.float(1)) }),
    WriteCase(
        name: "unknown content encoding", uri: "/write?db=robots", headers: [.contentEncoding: "br"],
        body: text("m v=1 1"), status: .unsupportedMediaType,
        error: "unsupported Content-Encoding \"br\" (use gzip or none)"),
]

@Suite struct WriteRouteTests {
    @Test(arguments: writeCases)
    func write(_ c: WriteCase) async throws {
        let fixture = try ServerFixture(maxBodyBytes: c.maxBodyBytes)
        let body = try c.body()
        let before = fixture.engine.stats().lastSequence
        try await fixture.test { client in
            try await client.execute(uri: c.uri, method: .post, headers: c.headers, body: body) { response in
                #expect(response.status == c.status)
                if let error = c.error {
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
                    #expect(json as? [String: String] == expectedBody(error, v2: c.uri.hasPrefix("/api/v2/")))
                    #expect(response.headers[HTTPField.Name("X-Influxdb-Error")!] == error)
                } else {
                    #expect(response.body.readableBytes == 0)
                }
            }
        }
        let stored = try fixture.rows(c.db, "m").map { ($0.0, $0.1["v"]) }
        #expect(stored.map(\.0) == c.rows.map(\.0))
        #expect(stored.map(\.1) == c.rows.map(\.1))
        // A WAL sequence is spent exactly when something was stored.
        #expect((fixture.engine.stats().lastSequence > before) == !c.rows.isEmpty)
    }

    @Test func rpChoosesThePolicyWrittenAndRead() async throws {
        let fixture = try ServerFixture()
        try await fixture.engine.setRawPolicy("rp0", database: "robots", retention: .standard, makeDefault: true)
        try await fixture.test { client in
            for (uri, line) in [("/write?db=robots", "m v=1 1"), ("/write?db=robots&rp=autogen", "m v=2 2")] {
                try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: line)) { response in
                    #expect(response.status == .noContent)
                }
            }
            for (rp, value) in [("", 1), ("&rp=autogen", 2), ("&rp=rp0", 1)] {
                try await client.execute(uri: "/query?db=robots\(rp)&epoch=ns&q=SELECT%20v%20FROM%20m", method: .get) { r in
                    #expect(bodyText(r).contains("[[\(value),\(value)]]"), "\(rp): \(bodyText(r))")
                }
            }
        }
        #expect(try fixture.rows("robots/rp0", "m").map(\.0) == [1])
        #expect(try fixture.rows("robots", "m").map(\.0) == [2])
    }

    @Test func missingTimestampsGetOneReceiveTimePerRequest() async throws {
        let fixture = try ServerFixture()
        let before = SystemClock().now()
        try await fixture.test { client in
            try await client.execute(
                uri: "/write?db=robots", method: .post, body: ByteBuffer(string: "m,id=a v=1\nm,id=b v=2")
            ) { response in
                #expect(response.status == .noContent)
            }
        }
        let after = SystemClock().now()
        let times = try fixture.rows("robots", "m").map(\.0)
        #expect(times.count == 2)
        #expect(Set(times).count == 1)
        #expect(times.allSatisfy { (before...after).contains($0) })
    }
}

private func expectedBody(_ error: String, v2: Bool) -> [String: String] {
    guard v2 else { return ["error": error] }
    let code = error.hasPrefix("request entity too large") ? "request too large"
        : error.contains("not found") ? "not found" : "invalid"
    return ["error": error, "message": error, "code": code]
}
