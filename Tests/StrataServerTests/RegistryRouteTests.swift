import Foundation
import Hummingbird
import HummingbirdTesting
import StrataTestSupport
import Testing
@testable import StrataServer

/// `/v1/connections`, `/`, and `GET /v1/stream` without an upgrade.
@Suite(.serialized) struct RegistryRouteTests {
    @Test func anEmptyRegistryListsNothing() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/v1/connections", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let object = try JSONSerialization.jsonObject(with: Data(bodyText(response).utf8)) as? [String: Any]
                #expect((object?["connections"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(arguments: [HTTPRequest.Method.get, .delete])
    func anUnknownConnectionIs404(_ method: HTTPRequest.Method) async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/v1/connections/c999", method: method) { response in
                #expect(response.status == .notFound)
                #expect(bodyText(response).contains("no open connection \\\"c999\\\""), "\(bodyText(response))")
            }
        }
    }

    @Test func aCloseReasonLongerThanACloseFrameHoldsIs400() async throws {
        let reason = String(repeating: "r", count: 124)
        try await ServerFixture().test { client in
            try await client.execute(uri: "/v1/connections/c1?reason=\(reason)", method: .delete) { response in
                #expect(response.status == .badRequest)
                #expect(bodyText(response).contains("at most 123"))
            }
        }
    }

    @Test func theStreamPathWithoutAnUpgradeSaysWhatItIs() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/v1/stream", method: .get) { response in
                #expect(response.status == .upgradeRequired)
                #expect(response.headers[.upgrade] == "websocket")
                #expect(bodyText(response).contains("WebSocket endpoint"))
            }
        }
    }

    @Test func theRootServesTheLivePage() async throws {
        try await ServerFixture().test { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(bodyText(response) == LivePage.html)
            }
        }
    }

    /// A real connection through the hub: listed, shown, kicked with 4001 and the reason.
    @Test func aConnectionIsListedAndCanBeKicked() async throws {
        try await StreamTestServer.with { server in
            let socket = try await offPool { try RawSocket.upgraded(port: server.port) }
            let hub = server.services.hub
            #expect(try await eventually { hub.connections().count == 1 })
            let id = try #require(hub.connections().first?.id)
            let app = Application(router: StrataServer.makeRouter(
                engine: server.engine, configuration: StrataServerConfiguration(), services: server.services))
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/connections", method: .get) { response in
                    #expect(bodyText(response).contains("\"id\":\"\(id)\""), "\(bodyText(response))")
                }
                try await client.execute(uri: "/v1/connections/\(id)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(bodyText(response).contains("\"id\":\"\(id)\""))
                }
                try await client.execute(uri: "/v1/connections/\(id)?reason=maintenance", method: .delete) { response in
                    #expect(response.status == .ok)
                    #expect(bodyText(response).contains("\"reason\":\"maintenance\""), "\(bodyText(response))")
                }
            }
            let frame = try await offPool { try socket.readDataOrClose() }
            #expect(frame?.close?.code == 4001)
            #expect(frame?.close?.reason == "maintenance")
            try await offPool { try socket.sendClose() }
            #expect(try await eventually { hub.connections().isEmpty })
        }
    }
}
