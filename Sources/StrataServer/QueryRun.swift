import StrataQuery

/// One authorized `/query` request's statements, run either whole (collected, bounded by
/// `max-row-limit` and the query's memory budget) or streamed to a chunked response.
struct QueryRun: Sendable {
    let runner: any QueryRunner
    let statements: [Statement]
    let text: String
    let database: String?
    let principal: QueryPrincipal
    let tiers: Bool
    let clientGone: (@Sendable () -> Bool)?

    func collect(maxRows: Int) async throws -> [StatementResult] {
        let collector = ResultCollector(maxRows: maxRows)
        try await runner.execute(statements, text: text, database: database, now: nil, principal: principal,
                                 tiers: tiers, into: collector, clientGone: clientGone)
        return collector.results
    }

    /// Runs the query on its thread while this task writes its chunks, encoded, with
    /// `write`. A failed write (the client went away) stops the query.
    func stream(chunkSize: Int, format: QueryResponseFormat, epoch: TimeEpoch?,
                write: (String) async throws -> Void) async throws {
        // Two chunks may wait unsent: one being written, one ready behind it.
        let stream = QueryStream(capacityRows: 2 * chunkSize)
        let producer = Task {
            defer { stream.finish() }
            try await runner.execute(statements, text: text, database: database, now: nil, principal: principal,
                                     tiers: tiers, into: stream, clientGone: clientGone)
        }
        var chunker = ResultStreamChunker(size: chunkSize)
        var encoder = ChunkEncoder(format: format, epoch: epoch)
        var statementOpen = false
        do {
            while let event = await stream.next() {
                let chunks: [StatementResult]
                switch event {
                case let .series(part, statementID):
                    statementOpen = true
                    chunks = chunker.add(part, statementID: statementID)
                case .end(let result):
                    statementOpen = false
                    chunks = chunker.end(result)
                }
                for chunk in chunks { try await write(encoder.encode(chunk)) }
            }
            // Stopped while it waited for this client: say why after what was sent.
            if statementOpen {
                let reason = stream.stopReason ?? QueryErrors.clientGone
                for chunk in chunker.abort(reason.description) { try await write(encoder.encode(chunk)) }
            }
        } catch {
            stream.cancel()
            _ = await producer.result
            throw error
        }
        _ = try await producer.value
    }
}

/// A chunk as the text of a chunked answer: a JSON document per line, or CSV whose header
/// is written once per series.
struct ChunkEncoder {
    let format: QueryResponseFormat
    var csv: InfluxCSV

    init(format: QueryResponseFormat, epoch: TimeEpoch?) {
        self.format = format
        csv = InfluxCSV(epoch: epoch)
    }

    mutating func encode(_ chunk: StatementResult) -> String {
        switch format {
        case .json(let pretty): InfluxJSON.encode([chunk], options: .init(epoch: csv.epoch, pretty: pretty)) + "\n"
        case .csv: csv.encode([chunk])
        }
    }
}
