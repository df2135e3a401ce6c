import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The benchmark's HTTP calls. One session with `connections` keep-alive connections per
/// host, so ingest runs over exactly that many.
enum BenchHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: Data
    }

    static func session(connections: Int) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 3_600
        configuration.urlCache = nil
        return URLSession(configuration: configuration)
    }

    static let shared = session(connections: 4)

    static func get(_ base: URL, _ path: String, session: URLSession = shared) async throws -> Reply {
        try await send("GET", base, path, body: nil, session: session)
    }

    static func post(_ base: URL, _ path: String, body: Data, contentType: String = "text/plain; charset=utf-8",
                     session: URLSession = shared) async throws -> Reply {
        try await send("POST", base, path, body: body, contentType: contentType, session: session)
    }

    private static func send(_ method: String, _ base: URL, _ path: String, body: Data?,
                             contentType: String? = nil, session: URLSession) async throws -> Reply {
        guard let url = URL(string: base.absoluteString.trimmingSuffix("/") + path) else {
            throw BenchServer.Failure(description: "bad URL \(base)\(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await session.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
