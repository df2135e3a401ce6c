import Hummingbird
import Logging

/// Gives every response InfluxDB's identifying headers, turns every error into an InfluxDB
/// JSON error body, and logs each error once (successful requests are not logged at info).
struct InfluxResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let influx = Self.influxError(error, path: request.uri.path)
            log(influx, request: request, context: context)
            response = try influx.response(from: request, context: context)
        }
        response.headers[.influxVersion] = ServerVersion.influxCompatible
        response.headers[.influxBuild] = "OSS"
        response.headers[.requestID] = context.id
        return response
    }

    static func influxError(_ error: any Error, path: String) -> InfluxHTTPError {
        let dialect: InfluxHTTPError.Dialect = path.hasPrefix("/api/v2/") ? .v2 : .v1
        switch error {
        case let influx as InfluxHTTPError:
            return influx
        case let http as HTTPError:
            let message = http.body ?? http.status.reasonPhrase.lowercased()
            return InfluxHTTPError(http.status, message, dialect: dialect)
        case let http as any HTTPResponseError:
            return InfluxHTTPError(http.status, http.status.reasonPhrase.lowercased(), dialect: dialect)
        default:
            return InfluxHTTPError(.internalServerError, "internal error: \(error)", dialect: dialect)
        }
    }

    private func log(_ error: InfluxHTTPError, request: Request, context: Context) {
        let metadata: Logger.Metadata = [
            "status": .stringConvertible(error.status.code),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "error": .string(error.message),
        ]
        if error.status.code >= 500 {
            context.logger.error("request failed", metadata: metadata)
        } else {
            context.logger.info("request refused", metadata: metadata)
        }
    }
}
