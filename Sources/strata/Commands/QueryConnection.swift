import Foundation
import Logging
import StrataCore
import StrataQuery
import StrataServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where `strata query` and `strata shell` send statements: an engine opened on a data
/// directory (no server running on it), or a server's `/query`.
final class QueryConnection: Sendable {
    /// Nothing given: the server `strata serve` runs by default.
    static let defaultURL = "http://127.0.0.1:8086"

    enum Target: Sendable {
        case local(StorageEngine, QueryExecutor)
        /// The token, if any, goes in `Authorization: Bearer` (docs/auth.md).
        case remote(URL, token: String?)
    }

    let target: Target

    private init(target: Target) {
        self.target = target
    }

    /// A failed request as a whole (parse error, server unreachable, engine failure): the
    /// message is printed as is.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `--data-dir` opens the engine in this process; `--url` (or `STRATA_URL`, or the
    /// default URL) talks to a server, with `--token` (or `STRATA_TOKEN`) if it requires
    /// one. Both given is a usage error the caller reports.
    static func open(dataDir: String?, url: String?, token: String? = nil) throws(Failure) -> QueryConnection {
        if let dataDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Failure(description: "data directory \(dataDir) does not exist")
            }
            var logger = StrataLogging.logger("strata.engine")
            // The engine's info lines (opened, replayed) are noise around a query's answer.
            if Environment.value("STRATA_LOG_LEVEL") == nil { logger.logLevel = .warning }
            do {
                let engine = try StorageEngine.open(directory: dataDir, logger: logger)
                return QueryConnection(target: .local(engine, QueryExecutor(engine: engine, principal: .unrestricted("the local data directory"))))
            } catch EngineError.directoryInUse {
                throw Failure(description: """
                    data directory \(dataDir) is in use: a Strata server (or another strata process) is running on it. \
                    Query it through the server instead, with --url http://HOST:PORT (default \(defaultURL)).
                    """)
            } catch {
                throw Failure(description: "cannot open data directory \(dataDir): \(error)")
            }
        }
        let text = url ?? Environment.value("STRATA_URL") ?? defaultURL
        guard let base = URL(string: text), let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https",
            base.host != nil
        else {
            throw Failure(description: "--url must be an http:// or https:// URL such as \(defaultURL), got \"\(text)\"")
        }
        return QueryConnection(target: .remote(base, token: token ?? Environment.value("STRATA_TOKEN")))
    }

    var description: String {
        switch target {
        case .local: "local data directory"
        case .remote(let url, _): url.absoluteString
        }
    }

    /// Runs `text`; statement errors stay inside the results.
    func run(_ text: String, database: String?) async throws(Failure) -> [StatementResult] {
        switch target {
        case .local(_, let executor):
            do {
                return try await executor.execute(text, database: database)
            } catch {
                throw Failure(description: error.description)
            }
        case .remote(let base, let token):
            return try await post(text, database: database, to: base, token: token)
        }
    }

    func close() async {
        if case .local(let engine, _) = target { try? await engine.close() }
    }

    /// POSTs the query (`queryRequest`) and decodes the whole answer.
    private func post(_ text: String, database: String?, to base: URL, token: String?) async throws(Failure)
        -> [StatementResult]
    {
        let url = base.appendingPathComponent("query")
        let request = Self.queryRequest(text, database: database, url: url, token: token)
        let data: Data
        let status: Int
        do {
            let (body, response) = try await URLSession.shared.data(for: request)
            data = body
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
        } catch {
            throw Failure(description: "cannot reach \(url.absoluteString): \(error.localizedDescription)")
        }
        let body = String(decoding: data, as: UTF8.self)
        let decoded: InfluxJSONDecoder.Response
        do {
            decoded = try InfluxJSONDecoder.decode(body, epoch: .nanoseconds)
        } catch {
            throw Failure(description: "HTTP \(status) from \(url.absoluteString): \(body.prefix(500))")
        }
        if let error = decoded.error { throw Failure(description: error) }
        guard status == 200 else { throw Failure(description: "HTTP \(status) from \(url.absoluteString)") }
        return decoded.results
    }

    /// A POST of `/query` as a form (no length limit of a URL) asking for nanosecond times,
    /// so the answer decodes back to exact times whatever the display wants; `extra` adds
    /// fields (`chunked`).
    static func queryRequest(_ text: String, database: String?, url: URL, token: String?,
                             extra: [(String, String)] = []) -> URLRequest {
        var request = URLRequest(url: url, timeoutInterval: 3_600)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        var form = [("q", text), ("epoch", "ns")] + extra
        if let database { form.append(("db", database)) }
        request.httpBody = Data(form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&").utf8)
        return request
    }

    /// application/x-www-form-urlencoded: unreserved characters as they are, the rest %XX.
    static func formEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
