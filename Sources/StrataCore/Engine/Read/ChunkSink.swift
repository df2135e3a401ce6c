/// Collects the chunks `SeriesChunker.execute` produces for one series, in time order. Given
/// a `SummaryRequest`, summaries gather into `SummaryColumns` runs (merged per bucket of the
/// request) that rows close; without one, each summary is a chunk of its own.
struct ChunkSink {
    let request: SummaryRequest?
    private(set) var chunks: [ScanChunk] = []
    private var open: SummaryColumns?
    /// Chunks expected: without a request, one a step; with one, a hint for runs' columns.
    private let capacity: Int

    init(request: SummaryRequest?, capacity: Int) {
        self.request = request
        self.capacity = capacity
        chunks.reserveCapacity(request == nil ? capacity : 4)
    }

    mutating func summary(_ s: BlockSummary) {
        guard request != nil else { return chunks.append(.summary(s)) }
        appendToOpenRun { $0.append(s) }
    }

    /// A summary whose fields `forEachField` hands over one by one (a block header's stats),
    /// built as a `BlockSummary` only without a request.
    mutating func summary(minTime: Int64, maxTime: Int64, rows: Int,
                          _ forEachField: ((String, SummaryColumns.Incoming) -> Void) -> Void) {
        guard request != nil else {
            var fields = SummaryFields()
            forEachField { name, s in fields[name] = s.stats }
            return chunks.append(.summary(BlockSummary(minTime: minTime, maxTime: maxTime, rowCount: rows, fields: fields)))
        }
        appendToOpenRun { $0.append(minTime: minTime, maxTime: maxTime, rows: rows, forEachField) }
    }

    /// `body` on the open run of summaries, opened if none is (a request is given).
    mutating func appendToOpenRun(_ body: (inout SummaryColumns) -> Void) {
        if open == nil { open = SummaryColumns(request: request!, capacity: capacity) }
        body(&open!)
    }

    mutating func rows(_ r: SeriesRows) {
        closeRun()
        chunks.append(.rows(r))
    }

    /// The chunks, with the open run of summaries last.
    mutating func finish() -> [ScanChunk] {
        closeRun()
        return chunks
    }

    private mutating func closeRun() {
        guard let run = open else { return }
        open = nil
        chunks.append(.summaries(run))
    }
}
