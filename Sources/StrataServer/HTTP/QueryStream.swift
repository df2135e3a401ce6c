import StrataCore
import Foundation
import StrataQuery

/// A chunked `/query` answer between the query thread that produces it and the response
/// writer that sends it. Chunking (`ResultStreamChunker`) and encoding happen here, on the
/// query thread: the writer, on the cooperative pool, only sends finished text. The
/// producer blocks while `capacityRows` rows of encoded chunks wait unsent, so a slow client
/// holds a bounded buffer rather than the whole answer; a client that goes away (`cancel`)
/// or a query stopped meanwhile (kill, timeout) ends the wait.
final class QueryStream: ResultSink, @unchecked Sendable {
    // Everything below is guarded by `condition`, except `chunker` and `encoder`, which only
    // the producer uses (and the reader once the producer is done, in `finishCut`).
    private let condition = NSCondition()
    private var buffer: [(text: String, rows: Int)] = []
    private var head = 0
    private var bufferedRows = 0
    private var finished = false
    private var cancelled = false
    private var waiter: CheckedContinuation<String?, Never>?
    private var task: QueryTask?
    private var chunker: ResultStreamChunker
    private var encoder: ChunkEncoder
    /// A statement began and has not ended: an answer cut now must say why.
    private var statementOpen = false
    let capacityRows: Int

    init(chunkSize: Int, format: QueryResponseFormat, epoch: TimeUnit?) {
        // Two chunks may wait unsent: one being written, one ready behind it.
        capacityRows = 2 * max(1, chunkSize)
        chunker = ResultStreamChunker(size: chunkSize)
        encoder = ChunkEncoder(format: format, epoch: epoch)
    }

    func begin(_ task: QueryTask) {
        condition.withLock { self.task = task }
    }

    func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        statementOpen = true
        try put(chunker.add(part, statementID: statementID))
    }

    func end(_ result: StatementResult) throws(QueryError) {
        statementOpen = false
        try put(chunker.end(result))
    }

    private func put(_ chunks: [StatementResult]) throws(QueryError) {
        for chunk in chunks {
            try put(encoder.encode(chunk), rows: chunk.series.reduce(0) { $0 + $1.values.count })
        }
    }

    private func put(_ text: String, rows: Int) throws(QueryError) {
        guard !text.isEmpty else { return }
        condition.lock()
        while !cancelled, waiter == nil, bufferedRows > 0, bufferedRows + rows > capacityRows {
            if task?.stopReason != nil {
                // Stopped while its client read slowly: nothing more is made (`finishCut`
                // says why after what was sent).
                condition.unlock()
                throw ResultSinks.done
            }
            // Woken by the reader; the timeout notices a kill or timeout within 100 ms.
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
            try? task?.check()
        }
        if cancelled {
            let task = task
            condition.unlock()
            // Counted as aborted, like a query whose connection closed.
            task?.stop(QueryErrors.clientGone)
            throw QueryErrors.clientGone
        }
        if let waiter, head == buffer.count {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: text)
            return
        }
        buffer.append((text, rows))
        bufferedRows += rows
        condition.unlock()
    }

    /// Rows waiting unsent (tests).
    var waitingRows: Int {
        condition.withLock { bufferedRows }
    }

    /// Why the query was stopped, if it was.
    var stopReason: QueryError? {
        condition.withLock { task?.stopReason }
    }

    /// The producer is done (normally or not); the reader gets nil after what is buffered.
    func finish() {
        condition.lock()
        finished = true
        let waiter = head == buffer.count ? self.waiter : nil
        if waiter != nil { self.waiter = nil }
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// After the producer is done: if it stopped inside a statement (killed or timed out
    /// while this client read slowly), the chunks that end the answer with the reason.
    func finishCut() -> [String] {
        guard statementOpen else { return [] }
        statementOpen = false
        let reason = stopReason ?? QueryErrors.clientGone
        return chunker.abort(reason.description).map { encoder.encode($0) }.filter { !$0.isEmpty }
    }

    /// The client is gone: the producer's next or current put throws.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk's text, waiting for it; nil once the producer finished and all was read.
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if head < buffer.count {
                let (text, rows) = buffer[head]
                head += 1
                bufferedRows -= rows
                if head == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: text)
            } else if finished {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }
}
