import StrataCore
import StrataQuery

/// Renders results for the terminal in one of the formats, and the row count and timing
/// line of the table format.
struct QueryOutput: Sendable {
    enum Format: String, CaseIterable, Sendable {
        case table, csv, json
    }

    var format: Format = .table
    var epoch: TimeUnit?
    var pretty = false

    /// The text for stdout. Statement errors are not in it: the caller prints them on stderr
    /// (except in JSON, where they are part of the document).
    func render(_ results: [StatementResult]) -> String {
        switch format {
        case .table:
            var withoutErrors = results
            for i in withoutErrors.indices { withoutErrors[i].error = nil }
            return ResultTable.format(withoutErrors, epoch: epoch)
        case .csv:
            var csv = InfluxCSV(epoch: epoch)
            return csv.encode(results)
        case .json:
            return InfluxJSON.encode(results, options: .init(epoch: epoch, pretty: pretty)) + "\n"
        }
    }

    /// `3 rows in 12.5 ms`.
    static func summary(rows: Int, elapsed: Duration) -> String {
        let seconds = elapsed.seconds
        let time = seconds < 1 ? String(Int((seconds * 10_000).rounded())).withDecimal(1) + " ms"
            : String(Int((seconds * 100).rounded())).withDecimal(2) + " s"
        return "\(rows) \(rows == 1 ? "row" : "rows") in \(time)"
    }

    /// Errors of statements, one line each, for stderr.
    static func errors(_ results: [StatementResult]) -> [String] {
        results.compactMap { result in result.error.map { "ERR: \($0)" } }
    }
}

/// Prints a streamed answer chunk by chunk (table or CSV), counting its rows and keeping
/// its statement errors for stderr at the end. Chunks come one at a time, in order.
final class ChunkPrinter: @unchecked Sendable {
    private let output: QueryOutput
    private var csv: InfluxCSV
    private var rows = 0
    private var errors: [String] = []
    /// The table format separates statements with a blank line, as `ResultTable` does.
    private var printedTable = false

    init(output: QueryOutput) {
        self.output = output
        csv = InfluxCSV(epoch: output.epoch)
    }

    var totals: (rows: Int, errors: [String]) { (rows, errors) }

    func print(_ chunk: StatementResult) {
        rows += ResultTable.rowCount([chunk])
        errors += QueryOutput.errors([chunk])
        let text: String
        switch output.format {
        case .csv:
            text = csv.encode([chunk])
        case .table, .json:
            var table = chunk
            table.error = nil
            text = ResultTable.format([table], epoch: output.epoch)
            if !text.isEmpty, printedTable { Swift.print() }
            if !text.isEmpty { printedTable = true }
        }
        Swift.print(text, terminator: "")
    }
}

extension String {
    /// `"125".withDecimal(1)` is `12.5`: fixed-point text without Foundation's formatter.
    func withDecimal(_ places: Int) -> String {
        let padded = count <= places ? String(repeating: "0", count: places - count + 1) + self : self
        let split = padded.index(padded.endIndex, offsetBy: -places)
        return String(padded[..<split]) + "." + String(padded[split...])
    }
}
