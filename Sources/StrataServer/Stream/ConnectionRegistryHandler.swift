import Foundation
import Hummingbird

/// `GET /v1/connections`, `GET` and `DELETE /v1/connections/{id}`: the hub's registry
/// (docs/http-api.md, "Connection registry").
struct ConnectionRegistryHandler: Sendable {
    let hub: LiveHub

    static let defaultReason = "closed by an admin"
    /// A close frame's payload is at most 125 bytes, 2 of which are the code.
    static let maxReasonBytes = 123

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        try Self.json(ConnectionList(connections: hub.connections()))
    }

    func show(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let snapshot = hub.connection(id: id) else { return Self.unknown(id) }
        return try Self.json(snapshot)
    }

    /// Closes the connection with code 4001 and `?reason=` (default "closed by an admin").
    func close(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let reason = request.uri.queryParameters.get("reason") ?? Self.defaultReason
        guard reason.utf8.count <= Self.maxReasonBytes else {
            return StrataServer.jsonError(.badRequest,
                "reason is \(reason.utf8.count) bytes; a WebSocket close reason holds at most \(Self.maxReasonBytes)")
        }
        guard let snapshot = hub.connection(id: id), hub.close(id: id, reason: reason) else { return Self.unknown(id) }
        return try Self.json(Closed(closed: snapshot, reason: reason))
    }

    private struct ConnectionList: Encodable {
        var connections: [ConnectionSnapshot]
    }

    private struct Closed: Encodable {
        var closed: ConnectionSnapshot
        var reason: String
    }

    private static func unknown(_ id: String) -> Response {
        StrataServer.jsonError(.notFound, "no open connection \(JSONText.string(id))")
    }

    private static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
