import StrataCore
import ArgumentParser
import StrataQuery

/// `strata query`: runs InfluxQL against a data directory or a server and prints the answer.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run InfluxQL against a data directory (--data-dir) or a server (--url).",
        discussion: """
            Without --data-dir the query goes to a server: --url, else STRATA_URL, else \
            \(QueryConnection.defaultURL). With --data-dir the engine is opened in this process, so no \
            server may be running on that directory. Exits 1 when the query does not parse, the \
            server cannot be reached, or any statement fails (its error is printed on stderr).
            """
    )

    @Argument(help: "InfluxQL statements, separated by ';'.")
    var query: String

    @OptionGroup var target: QueryTargetOptions

    @Option(help: "Output: table, csv or json.")
    var format: String = "table"

    @Option(help: "Times as integers in this unit: h, m, s, ms, u, ns (default: RFC 3339 in table and json, ns in csv).")
    var epoch: String?

    @Flag(help: "Indent json output.")
    var pretty = false

    func validate() throws {
        guard QueryOutput.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be table, csv or json, got \"\(format)\"")
        }
        if let epoch, TimeUnit(parameter: epoch) == nil {
            throw ValidationError("--epoch must be h, m, s, ms, u or ns, got \"\(epoch)\"")
        }
    }

    func run() async throws {
        let output = QueryOutput(
            format: QueryOutput.Format(rawValue: format) ?? .table, epoch: epoch.flatMap(TimeUnit.init(parameter:)),
            pretty: pretty)
        let connection: QueryConnection
        do {
            connection = try target.open()
        } catch {
            StandardError.write("strata query: \(error)\n")
            throw ExitCode(1)
        }
        let clock = ContinuousClock()
        let start = clock.now
        // Table and CSV print each chunk as it arrives; JSON is one document, so it is whole.
        guard output.format == .json else {
            let printer = ChunkPrinter(output: output)
            do {
                try await connection.stream(query, database: target.db) { printer.print($0) }
            } catch {
                await connection.close()
                StandardError.write("\(error)\n")
                throw ExitCode(1)
            }
            await connection.close()
            let (rows, errors) = printer.totals
            if output.format == .table {
                print(QueryOutput.summary(rows: rows, elapsed: start.duration(to: clock.now)))
            }
            for error in errors { StandardError.write(error + "\n") }
            if !errors.isEmpty { throw ExitCode(1) }
            return
        }
        let results: [StatementResult]
        do {
            results = try await connection.run(query, database: target.db)
        } catch {
            await connection.close()
            StandardError.write("\(error)\n")
            throw ExitCode(1)
        }
        await connection.close()
        print(output.render(results), terminator: "")
        let errors = QueryOutput.errors(results)
        for error in errors { StandardError.write(error + "\n") }
        if !errors.isEmpty { throw ExitCode(1) }
    }
}
