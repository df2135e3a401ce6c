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
    /// The largest `chunk_size` taken; a larger one gets this. Two chunks are held while a
    /// client reads, so the client's number bounds the server's memory: 100,000 rows of ten
    /// fields are ~40 MB as cells. InfluxDB has no cap; a client asking for more gets smaller
    /// chunks of the same answer.
    static let maxChunkSize = 100_000

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
        let epoch = params["epoch"].flatMap { $0.isEmpty ? nil : TimeUnit(parameter: $0) ?? .nanoseconds }

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

        let statements: [Statement]
        do {
            // Bound values become tokens inside the parser: client data is never query text.
            statements = try QueryParser.parse(q, parameters: parameters)
            try runner.authorize(statements, principal: context.principal.query)
        } catch let error as QueryParseError {
            context.logger.info("query refused", metadata: ["error": .string(error.description)])
            return Self.failure(.badRequest, error.description, format: format)
        } catch let error as QueryAuthorizationError {
            context.logger.info("query refused", metadata: ["error": .string(error.description)])
            return Self.failure(.forbidden, error.description, format: format)
        }
        let run = QueryRun(runner: runner, statements: statements, text: q, database: database,
                           retentionPolicy: params["rp"].flatMap { $0.isEmpty ? nil : $0 },
                           principal: context.principal.query, tiers: tiers, clientGone: Self.clientGone(context))
        let headers: HTTPFields = [.contentType: format.contentType]
        guard params["chunked"] == "true" else {
            let started = ContinuousClock.now
            let results = try await run.collect(maxRows: runner.maxRowLimit)
            metrics.queryDuration.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
            Self.logErrors(results, context: context)
            // Encoded (and copied into the buffer) on a query thread: a large answer takes seconds.
            let body = await runner.offload { Self.encodeBody(results, format: format, epoch: epoch) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        let size = min(params["chunk_size"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultChunkSize,
                       Self.maxChunkSize)
        let metrics = metrics
        // Rows go out as the query makes them, one JSON document per line per chunk; the
        // query thread waits while two chunks are unsent (docs/http-api.md, "Chunking").
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let started = ContinuousClock.now
            try await run.stream(chunkSize: size, format: format, epoch: epoch) { text in
                try await writer.write(ByteBuffer(string: text))
            }
            metrics.queryDuration.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
            try await writer.finish(nil)
        })
    }

    /// Whether the request's client went away (the connection closed, or the client closed
    /// its side): a handler's task is not cancelled when its peer goes away, so a running
    /// query asks this at its checks.
    static func clientGone(_ context: StrataRequestContext) -> (@Sendable () -> Bool)? {
        // A channel never active is a test's stand-in, not a connection that closed.
        guard let channel = context.channel, channel.isActive else { return nil }
        let slot = ConnectionSlot.of(channel)
        return { !channel.isActive || slot?.clientClosedInput == true }
    }

    static func logErrors(_ results: [StatementResult], context: StrataRequestContext) {
        for result in results {
            if let error = result.error {
                context.logger.debug("statement failed", metadata: [
                    "statement": .stringConvertible(result.statementID), "error": .string(error),
                ])
            }
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// The whole answer as a body; JSON goes from the writer's bytes to the buffer in one copy.
    static func encodeBody(_ results: [StatementResult], format: QueryResponseFormat, epoch: TimeUnit?) -> ByteBuffer {
        guard case .json(let pretty) = format else { return ByteBuffer(string: encode(results, format: format, epoch: epoch)) }
        return ByteBuffer(bytes: InfluxJSON.encodeBytes(results, options: .init(epoch: epoch, pretty: pretty), newline: true))
    }

    static func encode(_ results: [StatementResult], format: QueryResponseFormat, epoch: TimeUnit?) -> String {
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
