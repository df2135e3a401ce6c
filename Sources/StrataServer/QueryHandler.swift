import Hummingbird
import Logging
import NIOCore
import Foundation
import StrataCore
import StrataQuery

/// `GET|POST /query`, minimal: CREATE DATABASE and SHOW DATABASES in InfluxDB 1.x JSON. The
/// query issue replaces the statement handling; the parameter handling stays.
struct QueryHandler: Sendable {
    let engine: StorageEngine
    let limits: StrataServerConfiguration.Limits

    func query(_ request: Request, context: some RequestContext) async throws -> Response {
        let q = try await queryText(request)
        let params = FormParameters(query: request.uri.query)
        let results: [StatementResult]
        do {
            results = try await QueryExecutor(engine: engine).execute(q, database: params["db"])
        } catch {
            throw InfluxHTTPError(.badRequest, error.description)
        }
        let epoch = params["epoch"]
        return StatusHandler.json(.ok, JSONText.object([("results", JSONText.array(results.map { Self.encode($0, epoch: epoch) }))]))
    }

    // TEMPORARY until the formatters land.
    static func encode(_ r: StatementResult, epoch: String?) -> String {
        var members: [(String, String)] = [("statement_id", String(r.statementID))]
        if !r.series.isEmpty {
            members.append(("series", JSONText.array(r.series.map { s in
                var m: [(String, String)] = []
                if !s.name.isEmpty { m.append(("name", JSONText.string(s.name))) }
                if !s.tags.isEmpty { m.append(("tags", JSONText.object(s.tags.sorted { $0.key < $1.key }.map { ($0.key, JSONText.string($0.value)) }))) }
                m.append(("columns", JSONText.array(s.columns.map(JSONText.string))))
                if !s.values.isEmpty { m.append(("values", JSONText.array(s.values.map { JSONText.array($0.map { value($0, epoch) }) }))) }
                return JSONText.object(m)
            })))
        }
        if let e = r.error { members.append(("error", JSONText.string(e))) }
        return JSONText.object(members)
    }

    static func value(_ v: QueryValue, _ epoch: String?) -> String {
        switch v {
        case .null: return "null"
        case .float(let d):
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        case .integer(let i): return String(i)
        case .unsigned(let u): return String(u)
        case .boolean(let b): return b ? "true" : "false"
        case .string(let s): return JSONText.string(s)
        case .time(let t):
            switch epoch {
            case "ns"?: return String(t)
            case "u"?, "µ"?: return String(t / 1_000)
            case "ms"?: return String(t / 1_000_000)
            case "s"?: return String(t / 1_000_000_000)
            default:
                let secs = Double(t) / 1e9
                let date = Date(timeIntervalSince1970: secs)
                let f = ISO8601DateFormatter()
                return JSONText.string(f.string(from: date))
            }
        }
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
