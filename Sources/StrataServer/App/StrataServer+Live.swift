import Hummingbird

extension StrataServer {
    /// `/` (the live page), `GET /v1/stream` without an upgrade and the connection registry
    /// (docs/http-api.md). Who may call them is the auth middleware's business (admin for
    /// the registry, docs/auth.md).
    static func addLiveRoutes(to router: Router<StrataRequestContext>, services: ServerServices) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: LivePage.html)))
        }
        router.get(RouterPath(StreamHandshake.path)) { _, _ -> Response in
            // Reached only without an upgrade (upgrades are taken before routing).
            var response = Self.jsonError(.upgradeRequired,
                "/v1/stream is a WebSocket endpoint: connect with a WebSocket client offering the subprotocol strata.v1")
            response.headers[.upgrade] = "websocket"
            response.headers[.connection] = "Upgrade"
            return response
        }
        let registry = ConnectionRegistryHandler(hub: services.hub)
        router.get("/v1/connections", use: registry.list)
        router.get("/v1/connections/{id}", use: registry.show)
        router.delete("/v1/connections/{id}", use: registry.close)
    }

    static func jsonError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONText.object([("error", JSONText.string(message))]) + "\n")))
    }
}
