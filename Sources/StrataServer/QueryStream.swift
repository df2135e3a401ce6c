import Foundation
import StrataQuery

/// A chunked `/query` answer between the query thread that produces it and the response
/// writer that sends it. The producer blocks (it runs on a query thread, never the
/// cooperative pool) while `capacityRows` rows wait unsent, so a slow client holds a
/// bounded buffer rather than the whole answer; a client that goes away (`cancel`) or a
/// query stopped meanwhile (kill, timeout) ends the wait.
final class QueryStream: ResultSink, @unchecked Sendable {
    enum Event: Sendable {
        case series(ResultSeries, statementID: Int)
        case end(StatementResult)

        var rows: Int {
            if case .series(let s, _) = self { return s.values.count }
            return 0
        }
    }

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var buffer: [Event] = []
    private var head = 0
    private var bufferedRows = 0
    private var finished = false
    private var cancelled = false
    private var waiter: CheckedContinuation<Event?, Never>?
    private var task: QueryTask?
    let capacityRows: Int

    init(capacityRows: Int) {
        self.capacityRows = max(1, capacityRows)
    }

    func begin(_ task: QueryTask) {
        condition.withLock { self.task = task }
    }

    func series(_ part: ResultSeries, statementID: Int) throws(QueryError) {
        try put(.series(part, statementID: statementID))
    }

    func end(_ result: StatementResult) throws(QueryError) {
        try put(.end(result))
    }

    private func put(_ event: Event) throws(QueryError) {
        condition.lock()
        while !cancelled, waiter == nil, bufferedRows > 0, bufferedRows + event.rows > capacityRows {
            if task?.stopReason != nil {
                // Stopped while its client read slowly: nothing more is sent (the reader
                // says why after what it sent).
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
            waiter.resume(returning: event)
            return
        }
        buffer.append(event)
        bufferedRows += event.rows
        condition.unlock()
    }

    /// Rows waiting unsent (tests).
    var waitingRows: Int {
        condition.withLock { bufferedRows }
    }

    /// Why the query was stopped, if it was (an answer cut short says so).
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

    /// The client is gone: the producer's next or current put throws.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next event, waiting for it; nil once the producer finished and all was read.
    func next() async -> Event? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if head < buffer.count {
                let event = buffer[head]
                head += 1
                bufferedRows -= event.rows
                if head == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: event)
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
