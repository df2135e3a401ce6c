import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StrataQuery
@testable import StrataServer
import StrataTestSupport
import Testing

/// Deeply nested JSON (`/query` params, live subscribe messages) and query text built to
/// exhaust the stack (issue 12, item 5), through the server: a clear 400 or error message,
/// quickly, never a crash. docs/influxql.md and docs/live.md.
@Suite struct HostileNestingTests {
    static func nested(_ count: Int, open: String = "[", close: String = "]", inner: String = "1") -> String {
        String(repeating: open, count: count) + inner + String(repeating: close, count: count)
    }

    // MARK: /query params

    @Test(arguments: [
        // The object is level 1: 63 arrays in it make 64 levels, the most there may be.
        (#"{"x":"# + nested(63) + "}", "error parsing query parameters: unable to bind parameter x"),
        (#"{"x":"# + nested(64) + "}", "error parsing query parameters: invalid JSON at byte 68: nested deeper than 64 levels"),
        (#"{"x":"# + nested(100_000) + "}", "error parsing query parameters: invalid JSON at byte 68: nested deeper than 64 levels"),
        (#"{"x":"# + nested(100_000, open: #"{"a":"#, close: "}") + "}",
         "error parsing query parameters: invalid JSON at byte 320: nested deeper than 64 levels"),
    ])
    func deepParamsAreRefused(_ json: String, _ message: String) async {
        let error = await StackProbe.run(stackBytes: 512 << 10) { () -> String? in
            do throws(InfluxHTTPError) {
                _ = try QueryBoundParameters.parse(json)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(error == message)
    }

    @Test func deepParamsAre400OverHTTP() async throws {
        let fixture = try ServerFixture()
        let form = formEncoded([("q", "SELECT battery FROM robot WHERE d = $x"), ("params", #"{"x":"# + Self.nested(100_000) + "}")])
        try await fixture.test { client in
            try await client.execute(uri: "/query?db=robots", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: form)) { response in
                #expect(response.status == .badRequest)
                #expect(bodyText(response)
                        == #"{"error":"error parsing query parameters: invalid JSON at byte 68: nested deeper than 64 levels"}"# + "\n")
            }
        }
    }

    // MARK: /query q

    static func chain(_ term: String, _ op: String, _ count: Int) -> String {
        Array(repeating: term, count: count).joined(separator: op)
    }

    static let seconds = "SELECT battery FROM robot WHERE time > now()" + String(repeating: " -1s", count: 100_000)

    @Test(arguments: [
        ("SELECT " + chain("battery", "+", 20_000) + " FROM robot", HTTPResponse.Status.badRequest,
         #"{"error":"error parsing query: expression is nested too deeply (more than 64 levels) at line 1, char 519"}"#),
        (seconds, .badRequest, #"{"error":"error parsing query: expression is nested too deeply (more than 64 levels) at line 1, char "#
            + "\(seconds.utf8.count - 100_000 * 4 + 63 * 4 + 2)\"}"),
        ("SELECT " + String(repeating: "(", count: 100_000) + " FROM robot", .badRequest,
         #"{"error":"error parsing query: expression is nested too deeply at line 1, char 208"}"#),
        ("SELECT battery FROM robot WHERE " + chain("device_id = 'x'", " OR ", 20_000) + " OR device_id = 'r1'", .ok,
         #"{"results":[{"statement_id":0,"series":[{"name":"robot","columns":["time","battery"],"values":[["1970-01-01T00:00:00.000000001Z",81]]}]}]}"#),
    ])
    func hostileQueryTextOverHTTP(_ q: String, _ status: HTTPResponse.Status, _ body: String) async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/write?db=robots", method: .post,
                                     body: ByteBuffer(string: "robot,device_id=r1 battery=81 1\nrobot,device_id=r2 battery=60 1")) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/query?db=robots", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: formEncoded([("q", q)]))) { response in
                #expect(response.status == status)
                #expect(bodyText(response) == body + "\n")
            }
        }
    }

    // MARK: Live subscribe messages

    static let subscribe = #"{"action":"subscribe","id":"a","db":"d","measurement":"m","where":{"t":"#

    @Test(arguments: [
        // The message is level 1 and "where" level 2: 30 arrays make 32 levels, the most
        // there may be; the message is then refused for what it says, not how it nests.
        (subscribe + nested(30) + "}}", #""where": tag t: expected a string, an array of strings, or {"=~": regex}, {"!~": regex}, {"!=": value}"#),
        (subscribe + nested(31) + "}}", "message is not valid JSON: nested deeper than 32 levels"),
        (subscribe + nested(30, open: #"{"a":"#, close: "}") + "}}", #""where": tag t: expected a string, an array of strings, or {"=~": regex}, {"!~": regex}, {"!=": value}"#),
        (subscribe + nested(31, open: #"{"a":"#, close: "}") + "}}", "message is not valid JSON: nested deeper than 32 levels"),
        (nested(100_000), "message is not valid JSON: nested deeper than 32 levels"),
        (nested(511), "message is not valid JSON: nested deeper than 32 levels"),
        (String(repeating: "[", count: 64 << 10), "message is not valid JSON: nested deeper than 32 levels"),
        (String(repeating: "]", count: 100) + "[", "message is not valid JSON"),
        // Brackets in strings are text, escaped quotes included.
        (#"{"action":"ping","pad":"\""# + String(repeating: "[", count: 1_000) + #"\\"}"#, nil),
        (#"{"action":"ping","pad":"\"\\\""# + String(repeating: "{", count: 1_000) + #""}"#, nil),
    ] as [(String, String?)])
    func deepSubscribeMessagesAreRefused(_ text: String, _ message: String?) async {
        let (error, took) = await StackProbe.run(stackBytes: 512 << 10) { () -> (String?, Duration) in
            let started = ContinuousClock.now
            do throws(LiveProtocolError) {
                _ = try ClientMessage.parse(text)
                return (nil, ContinuousClock.now - started)
            } catch {
                return (error.message, ContinuousClock.now - started)
            }
        }
        #expect(error == message)
        // Decoding 512 levels took ~2 s (time quadratic in the depth) before the scan, so
        // 100,000 levels would take hours: the bound catches that, not a slow machine.
        #expect(took < .seconds(30))
    }
}
