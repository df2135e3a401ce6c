import StrataCore
import StrataQuery

/// One authorized `/query` request's statements, run either whole (collected, bounded by
/// `max-row-limit` and the query's memory budget) or streamed to a chunked response.
struct QueryRun: Sendable {
    let runner: any QueryRunner
    let statements: [Statement]
    let text: String
    let database: String?
    /// `rp`: the policy statements read when they name none (nil: the database's default).
    var retentionPolicy: String? = nil
    let principal: QueryPrincipal
    let tiers: Bool
    let clientGone: (@Sendable () -> Bool)?

    func collect(maxRows: Int) async throws -> [StatementResult] {
        let collector = ResultCollector(maxRows: maxRows)
        try await runner.execute(statements, text: text, database: database, retentionPolicy: retentionPolicy, now: nil,
                                 principal: principal,
                                 tiers: tiers, into: collector, clientGone: clientGone)
        return collector.results
    }

    /// Runs the query on its thread, which also chunks and encodes the answer, while this
    /// task sends the text with `write`. A failed write (the client went away) stops the query.
    func stream(chunkSize: Int, format: QueryResponseFormat, epoch: TimeUnit?,
                write: (String) async throws -> Void) async throws {
        let stream = QueryStream(chunkSize: chunkSize, format: format, epoch: epoch)
        let producer = Task {
            defer { stream.finish() }
            try await runner.execute(statements, text: text, database: database, retentionPolicy: retentionPolicy, now: nil,
                                 principal: principal,
                                     tiers: tiers, into: stream, clientGone: clientGone)
        }
        do {
            while let text = await stream.next() { try await write(text) }
            _ = try await producer.value
            // Stopped while it waited for this client: say why after what was sent.
            for text in stream.finishCut() { try await write(text) }
        } catch {
            stream.cancel()
            _ = await producer.result
            throw error
        }
    }
}

/// A chunk as the text of a chunked answer: a JSON document per line, or CSV whose header
/// is written once per series.
struct ChunkEncoder {
    let format: QueryResponseFormat
    var csv: InfluxCSV

    init(format: QueryResponseFormat, epoch: TimeUnit?) {
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
