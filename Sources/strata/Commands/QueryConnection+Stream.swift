import Foundation
import StrataQuery

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension QueryConnection {
    /// Rows per chunk asked of a server, and made by a local executor.
    static let chunkSize = 10_000

    /// Runs `text`, handing each chunk of the answer to `chunk` as it arrives (a server's
    /// `chunked=true` answer, or a local executor's streamed rows), so `strata query` prints
    /// a long answer as it comes and never holds it whole. Chunks follow InfluxDB's chunking
    /// (`ResultChunker`): a series may come in several, each statement's last is not partial.
    func stream(_ text: String, database: String?, chunk: @escaping @Sendable (StatementResult) -> Void)
        async throws(Failure)
    {
        switch target {
        case .local(_, let executor):
            let statements: [Statement]
            do { statements = try QueryParser.parse(text) } catch { throw Failure(description: error.description) }
            let sink = ChunkingSink(size: Self.chunkSize, chunk: chunk)
            do {
                try await executor.execute(statements, database: database, into: sink)
            } catch {
                throw Failure(description: error.description)
            }
        case .remote(let base, let token):
            try await streamRemote(text, database: database, base: base, token: token, chunk: chunk)
        }
    }

    private func streamRemote(_ text: String, database: String?, base: URL, token: String?,
                              chunk: @escaping @Sendable (StatementResult) -> Void) async throws(Failure) {
        let url = base.appendingPathComponent("query")
        let request = Self.queryRequest(text, database: database, url: url, token: token,
                                        extra: [("chunked", "true"), ("chunk_size", String(Self.chunkSize))])
        let reader = ChunkLineReader(chunk: chunk)
        let session = URLSession(configuration: .default, delegate: reader, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let outcome = await reader.run(session.dataTask(with: request))
        switch outcome {
        case .transport(let error):
            throw Failure(description: "cannot reach \(url.absoluteString): \(error)")
        case .failed(let status, let body):
            // A whole-request error (bad query text, refused token) is one JSON error.
            if let decoded = try? InfluxJSONDecoder.decode(body, epoch: .nanoseconds), let error = decoded.error {
                throw Failure(description: error)
            }
            throw Failure(description: "HTTP \(status) from \(url.absoluteString): \(body.prefix(500))")
        case .malformed(let line):
            throw Failure(description: "unreadable answer from \(url.absoluteString): \(line.prefix(200))")
        case .done:
            return
        }
    }
}

/// Chunks a local executor's streamed answer as a server would.
private final class ChunkingSink: ResultSink, @unchecked Sendable {
    private var chunker: ResultStreamChunker
    private let chunk: @Sendable (StatementResult) -> Void

    init(size: Int, chunk: @escaping @Sendable (StatementResult) -> Void) {
        chunker = ResultStreamChunker(size: size)
        self.chunk = chunk
    }

    func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        chunker.add(part, statementID: statementID).forEach(chunk)
    }

    func end(_ result: StatementResult) throws(QueryError) {
        chunker.end(result).forEach(chunk)
    }
}

/// Reads a chunked `/query` answer as it arrives: one JSON document per line, each decoded
/// and handed on at once. Everything is on the session's delegate queue, one call at a time.
private final class ChunkLineReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome: Sendable {
        case done
        case transport(String)
        case failed(status: Int, body: String)
        case malformed(String)
    }

    private let chunk: @Sendable (StatementResult) -> Void
    private var pending = Data()
    private var status = 0
    private var outcome: Outcome?
    private var continuation: CheckedContinuation<Outcome, Never>?

    init(chunk: @escaping @Sendable (StatementResult) -> Void) {
        self.chunk = chunk
    }

    func run(_ task: URLSessionDataTask) async -> Outcome {
        await withCheckedContinuation { continuation in
            self.continuation = continuation
            task.resume()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        pending.append(data)
        guard status == 200, outcome == nil else { return }
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
            pending.removeSubrange(pending.startIndex...newline)
            guard !line.isEmpty else { continue }
            guard let decoded = try? InfluxJSONDecoder.decode(line, epoch: .nanoseconds) else {
                outcome = .malformed(line)
                dataTask.cancel()
                return
            }
            decoded.results.forEach(chunk)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let result: Outcome
        if let outcome {
            result = outcome
        } else if let error {
            result = .transport(error.localizedDescription)
        } else if status != 200 {
            result = .failed(status: status, body: String(decoding: pending, as: UTF8.self))
        } else {
            result = .done
        }
        continuation?.resume(returning: result)
        continuation = nil
    }
}
