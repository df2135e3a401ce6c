import Hummingbird
import Logging
import NIOCore
import StrataCore

/// `GET|POST /query`, minimal: CREATE DATABASE and SHOW DATABASES in InfluxDB 1.x JSON. The
/// query issue replaces the statement handling; the parameter handling stays.
struct QueryHandler: Sendable {
    let engine: StorageEngine
    let limits: StrataServerConfiguration.Limits

    func query(_ request: Request, context: some RequestContext) async throws -> Response {
        let q = try await queryText(request)
        let statements: [MinimalQueryStatement]
        do {
            statements = try MinimalQueryStatement.parseAll(q)
        } catch {
            throw InfluxHTTPError(.badRequest, error.description)
        }
        let results = statements.enumerated().map { id, statement in
            execute(statement, id: id, context: context)
        }
        return StatusHandler.json(.ok, JSONText.object([("results", JSONText.array(results))]))
    }

    /// `q` from the URL, or from an `application/x-www-form-urlencoded` body (InfluxDB
    /// clients POST long queries that way); the URL wins when both have it.
    private func queryText(_ request: Request) async throws -> String {
        if let q = FormParameters(query: request.uri.query)["q"] { return q }
        let isForm = request.headers[.contentType].map {
            $0.lowercased().hasPrefix("application/x-www-form-urlencoded")
        } ?? false
        if request.method == .post, isForm {
            let body = try await RequestBodyReader(limit: limits.maxQueryBytes, dialect: .v1).read(request)
            if let q = FormParameters(body.readableBytesView)["q"] { return q }
        }
        throw InfluxHTTPError(.badRequest, "missing required parameter \"q\"")
    }

    /// One element of `results`. A failing statement reports its error in place (HTTP 200),
    /// as InfluxDB does for execution errors.
    private func execute(_ statement: MinimalQueryStatement, id: Int, context: some RequestContext) -> String {
        let idMember = ("statement_id", String(id))
        switch statement {
        case .createDatabase(let name):
            do {
                try engine.createDatabase(name)
                return JSONText.object([idMember])
            } catch {
                context.logger.info(
                    "CREATE DATABASE failed", metadata: ["db": .string(name), "error": .string("\(error)")])
                return JSONText.object([idMember, ("error", JSONText.string("\(error)"))])
            }
        case .showDatabases:
            let names = engine.databaseNames().sorted()
            var series: [(String, String)] = [
                ("name", JSONText.string("databases")),
                ("columns", JSONText.array([JSONText.string("name")])),
            ]
            // InfluxDB leaves `values` out when there is no database.
            if !names.isEmpty {
                series.append(("values", JSONText.array(names.map { JSONText.array([JSONText.string($0)]) })))
            }
            return JSONText.object([idMember, ("series", JSONText.array([JSONText.object(series)]))])
        }
    }
}
