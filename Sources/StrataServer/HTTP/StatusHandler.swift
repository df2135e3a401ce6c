import Hummingbird
import Logging
import NIOCore
import StrataCore

/// `/ping`, `/health`, `/flush` and `/compact`: liveness, readiness with engine numbers, a
/// durable flush for benchmarks that measure disk use, and a compaction run to its end.
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

    /// Runs a compaction (after any running one) and answers its report once it is durable.
    func compact(_ request: Request, context: some RequestContext) async throws -> Response {
        let report: CompactionReport
        do {
            report = try await engine.compact()
        } catch {
            throw InfluxHTTPError(.internalServerError, "compaction failed: \(error)")
        }
        return Self.json(.ok, Self.reportJSON(report))
    }

    static func reportJSON(_ r: CompactionReport) -> String {
        JSONText.object([
            ("partitionsWritten", String(r.partitionsWritten)),
            ("segmentsMerged", String(r.segmentsMerged)),
            ("rowsWritten", String(r.rowsWritten)),
            ("bytesWritten", String(r.bytesWritten)),
            ("tierFilesWritten", String(r.tierFilesWritten)),
            ("partitionsExpired", String(r.partitionsExpired)),
            ("tierFilesExpired", String(r.tierFilesExpired)),
            ("rowsDropped", String(r.rowsDropped)),
            ("seconds", r.seconds.isFinite ? String(r.seconds) : "0"),
        ])
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
            ("partitions", String(s.partitions)),
            ("tierFiles", String(s.tierFiles)),
            ("tierBytes", String(s.tierBytes)),
            ("compacting", s.compacting ? "true" : "false"),
            ("compactions", String(s.compactions)),
            ("compactionBytesWritten", String(s.compactionBytesWritten)),
        ])
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
