import Foundation
import StrataQuery
import Testing
@testable import StrataServer

/// The buffer between a chunked answer's query thread and its writer: the producer waits
/// while `capacityRows` rows of encoded chunks are unsent, and a reader that goes away
/// releases it with `query aborted`; a query stopped meanwhile (kill, timeout) releases it
/// too, and the answer then ends with a chunk giving the reason.
struct QueryStreamTests {
    static func row(_ i: Int) -> ResultSeries {
        ResultSeries(name: "m", columns: ["time", "v"], values: [[.time(Int64(i)), .integer(Int64(i))]])
    }

    /// Puts `count` one-row parts on a thread of its own; returns what stopped it.
    static func produce(_ stream: QueryStream, count: Int) -> ProducerOutcome {
        let outcome = ProducerOutcome()
        Thread {
            for i in 0..<count {
                do { try stream.series(row(i), statementID: 0) } catch {
                    outcome.finish(put: i, error: error as? QueryError)
                    return
                }
            }
            outcome.finish(put: count, error: nil)
        }.start()
        return outcome
    }

    @Test func aSlowReaderHoldsTheProducerAtTheCapacity() async throws {
        // Chunks of one row; two chunks' rows may wait.
        let stream = QueryStream(chunkSize: 1, format: .json(pretty: false), epoch: nil)
        let outcome = Self.produce(stream, count: 1_000)
        var read = 0
        while read < 20 {
            guard let text = await stream.next() else { break }
            #expect(text.hasPrefix(#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[["#))
            read += 1
            #expect(stream.waitingRows <= 2)
        }
        stream.cancel()
        let (put, error) = await outcome.wait()
        #expect(error == QueryErrors.clientGone)
        #expect(put <= 20 + 2 + 2, "the producer waited for the reader")
    }

    @Test func aStoppedQueryNoLongerWaitsForItsReader() async throws {
        let stream = QueryStream(chunkSize: 1, format: .json(pretty: false), epoch: nil)
        let task = QueryTask.ungoverned()
        stream.begin(task)
        let outcome = Self.produce(stream, count: 100)
        _ = await stream.next()
        task.stop(QueryErrors.killed)
        let (put, error) = await outcome.wait()
        #expect(error == ResultSinks.done)
        #expect(put < 100)
        #expect(stream.stopReason == QueryErrors.killed)
        stream.finish()
        while await stream.next() != nil {}
        let last = stream.finishCut().last ?? ""
        #expect(last.contains(#""error":"query interrupted""#), "\(last)")
    }
}

final class ProducerOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var put = 0
    private var error: QueryError?

    func finish(put: Int, error: QueryError?) {
        self.put = put
        self.error = error
        done.signal()
    }

    func wait() async -> (Int, QueryError?) {
        await withCheckedContinuation { continuation in
            Thread {
                self.done.wait()
                continuation.resume(returning: (self.put, self.error))
            }.start()
        }
    }
}
