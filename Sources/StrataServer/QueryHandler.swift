import Hummingbird
import Logging
import NIOCore
import StrataCore
import StrataQuery

/// `GET|POST /query`: InfluxQL in, InfluxDB 1.x JSON or CSV out (docs/http-api.md). What a
/// token may run, and the devices it sees, follow docs/auth.md.
struct QueryHandler: Sendable {
    let runner: any QueryRunner
    let limits: StrataServerConfiguration.Limits
    var metrics = StrataMetrics()

    /// InfluxDB's default `chunk_size`.
    static let defaultChunkSize = 10_000

    func query(_ request: Request, context: StrataRequestContext) async throws -> Response {
        let params = try await QueryParameters.read(request, limit: limits.maxQueryBytes)
        let format = QueryResponseFormat(
            format: params["format"], pretty: params["pretty"] == "true", accept: request.headers[.accept])
        // InfluxDB trims q and treats an empty one as missing.
        guard let q = params["q"]?.trimmingSpaces(), !q.isEmpty else {
            return Self.failure(.badRequest, #"missing required parameter "q""#, format: format)
        }
        let database = params["db"].flatMap { $0.isEmpty ? nil : $0 }
        // InfluxDB converts times for any non-empty epoch, an unknown unit meaning nanoseconds.
        let epoch = params["epoch"].flatMap { $0.isEmpty ? nil : TimeEpoch(parameter: $0) ?? .nanoseconds }

        // Raw data only: a diagnostic whose answers must equal the default's (docs/http-api.md).
        let tiers: Bool
        switch params["tiers"] ?? "" {
        case "", "on": tiers = true
        case "off": tiers = false
        case let other: return Self.failure(.badRequest, "tiers must be \"on\" or \"off\", got \"\(other)\"", format: format)
        }

        var parameters: [String: BoundParameter] = [:]
        if let params = params["params"], !params.isEmpty {
            do {
                parameters = try QueryBoundParameters.parse(params)
            } catch {
                return Self.failure(error.status, error.message, format: format)
            }
        }

        let results: [StatementResult]
        let started = ContinuousClock.now
        do {
            // Bound values become tokens inside the parser: client data is never query text.
            let statements = try QueryParser.parse(q, parameters: parameters)
            results = try await runner.execute(
                statements, text: q, database: database, now: nil, principal: context.principal.query, tiers: tiers)
        } catch let error as QueryParseError {
            context.logger.info("query refused", metadata: ["error": .string(error.description)])
            return Self.failure(.badRequest, error.description, format: format)
        } catch let error as QueryAuthorizationError {
            context.logger.info("query refused", metadata: ["error": .string(error.description)])
            return Self.failure(.forbidden, error.description, format: format)
        }
        // Parse and execution; encoding is left out, as chunked answers encode while sending.
        metrics.queryDuration.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
        for result in results {
            if let error = result.error {
                context.logger.debug("statement failed", metadata: [
                    "statement": .stringConvertible(result.statementID), "error": .string(error),
                ])
            }
        }

        let headers: HTTPFields = [.contentType: format.contentType]
        guard params["chunked"] == "true" else {
            let body = Self.encode(results, format: format, epoch: epoch)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let size = params["chunk_size"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultChunkSize
        let chunks = ResultChunker.chunks(results, size: size)
        // One JSON document per line per chunk, written as it is encoded, so a client starts
        // reading before the last chunk is built and the encoded text is never held whole.
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var csv = InfluxCSV(epoch: epoch)
            for chunk in chunks {
                let text: String
                switch format {
                case .json(let pretty): text = InfluxJSON.encode([chunk], options: .init(epoch: epoch, pretty: pretty)) + "\n"
                case .csv: text = csv.encode([chunk])
                }
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
            }
            try await writer.finish(nil)
        })
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    static func encode(_ results: [StatementResult], format: QueryResponseFormat, epoch: TimeEpoch?) -> String {
        switch format {
        case .json(let pretty):
            return InfluxJSON.encode(results, options: .init(epoch: epoch, pretty: pretty)) + "\n"
        case .csv:
            var csv = InfluxCSV(epoch: epoch)
            return csv.encode(results)
        }
    }

    /// A whole-request error in the requested format (InfluxDB writes its CSV errors as CSV),
    /// with the text also in `X-Influxdb-Error` like every other error of this server.
    static func failure(_ status: HTTPResponse.Status, _ message: String, format: QueryResponseFormat) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.influxError] = InfluxHTTPError.headerSafe(message)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: format.errorBody(message))))
    }
}
