import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataServer
import Testing

@Suite struct StatusRouteTests {
    @Test(arguments: [HTTPRequest.Method.get, .head])
    func pingAnswers204WithInfluxHeaders(method: HTTPRequest.Method) async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/ping", method: method) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[HTTPField.Name("X-Influxdb-Version")!] == "1.8.10-strata")
                #expect(response.headers[HTTPField.Name("X-Influxdb-Build")!] == "OSS")
                let id = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
                #expect(!id.isEmpty)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func pingRequestIDsDiffer() async throws {
        try await ServerFixture().test { client in
            let a = try await client.execute(uri: "/ping", method: .get) { $0.headers[HTTPField.Name("X-Request-Id")!] }
            let b = try await client.execute(uri: "/ping", method: .get) { $0.headers[HTTPField.Name("X-Request-Id")!] }
            #expect(a != b)
        }
    }

    @Test func verbosePingReportsTheVersion() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/ping?verbose=true", method: .get) { response in
                #expect(response.status == .ok)
                #expect(bodyText(response) == "{\"version\":\"1.8.10-strata\"}\n")
            }
        }
    }

    @Test func healthReportsReadinessAndEngineStats() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/write?db=robots", method: .post, body: ByteBuffer(string: "m,id=a v=1 1\nm,id=b v=2 2")) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(json["name"] as? String == "strata")
                #expect(json["status"] as? String == "pass")
                #expect(json["message"] as? String == "ready for queries and writes")
                #expect(json["version"] as? String == ServerVersion.strata)
                let stats = try #require(json["stats"] as? [String: Any])
                #expect(stats["seriesCount"] as? Int == 2)
                #expect(stats["headRows"] as? Int == 2)
                #expect(stats["lastSequence"] as? Int == 1)
            }
        }
    }

    @Test func flushWritesTheHeadToASegment() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/write?db=robots", method: .post, body: ByteBuffer(string: "m v=1 1")) {
                #expect($0.status == .noContent)
            }
            #expect(fixture.engine.stats().segmentCount == 0)
            try await client.execute(uri: "/flush", method: .post) { response in
                #expect(response.status == .noContent)
            }
            let stats = fixture.engine.stats()
            #expect(stats.segmentCount == 1)
            #expect(stats.headRows == 0)
        }
        #expect(try fixture.rows("robots", "m").count == 1)
    }

    @Test func unknownRouteIsAJSON404() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(bodyText(response) == "{\"error\":\"not found\"}\n")
                #expect(response.headers[HTTPField.Name("X-Influxdb-Version")!] == "1.8.10-strata")
            }
        }
    }
}
