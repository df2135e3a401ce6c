import Hummingbird
import Logging
import NIOCore
import StrataCore

/// `/ping`, `/health` and `/flush`: liveness, readiness with engine numbers, and a durable
/// flush for benchmarks that measure disk use.
struct StatusHandler: Sendable {
    let engine: StorageEngine

    /// 204 and the version headers (added to every response by `InfluxHeadersMiddleware`);
    /// `verbose=true` answers 200 with the version in the body, as InfluxDB 1.x.
    func ping(_ request: Request, context: some RequestContext) -> Response {
        guard FormParameters(query: request.uri.query)["verbose"] == "true" else {
            return Response(status: .noContent)
        }
        return Self.json(.ok, JSONText.object([("version", JSONText.string(ServerVersion.influxCompatible))]))
    }

    func health(_ request: Request, context: some RequestContext) -> Response {
        let body = JSONText.object([
            ("name", JSONText.string("strata")),
            ("message", JSONText.string("ready for queries and writes")),
            ("status", JSONText.string("pass")),
            ("version", JSONText.string(ServerVersion.strata)),
            ("stats", Self.statsJSON(engine.stats())),
        ])
        return Self.json(.ok, body)
    }

    func flush(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            try await engine.flush()
        } catch {
            throw InfluxHTTPError(.internalServerError, "flush failed: \(error)")
        }
        return Response(status: .noContent)
    }

    static func statsJSON(_ s: EngineStats) -> String {
        JSONText.object([
            ("lastSequence", String(s.lastSequence)),
            ("seriesCount", String(s.seriesCount)),
            ("headBytes", String(s.headBytes)),
            ("headRows", String(s.headRows)),
            ("segmentCount", String(s.segmentCount)),
            ("segmentBytes", String(s.segmentBytes)),
            ("walFiles", String(s.walFiles)),
            ("walBytes", String(s.walBytes)),
        ])
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
