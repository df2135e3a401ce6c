import StrataCore
import StrataQuery

/// The interactive loop of `strata shell`: gathers lines into statements (run once the text
/// ends with `;`), runs dot-commands, prints results in the chosen format. docs/cli.md.
final class Shell {
    private let connection: QueryConnection
    private let editor: LineEditor
    private let completer: ShellCompleter
    private let historyPath: String?
    private var database: String?
    private var output = QueryOutput()
    private var timing: Bool
    /// Lines of a statement not yet ended by `;`.
    private var pending: [String] = []

    init(connection: QueryConnection, database: String?, editor: LineEditor, historyPath: String?) {
        self.connection = connection
        self.database = database
        self.editor = editor
        self.historyPath = historyPath
        completer = ShellCompleter(connection: connection)
        // Timings vary from run to run: keep piped output reproducible.
        timing = editor.isInteractive
    }

    func run() async {
        if editor.isInteractive {
            print("Connected to \(connection.description). End statements with ';'; .help for commands.")
        }
        loop: while true {
            let prompt = pending.isEmpty ? "\(database ?? "strata")> " : String(repeating: " ", count: max(0, (database ?? "strata").count - 3)) + "...> "
            let input = await editor.readLine(prompt: prompt) { [completer, database] line, cursor in
                await completer.complete(line: line, cursor: cursor, database: database)
            }
            switch input {
            case .end:
                // Piped input may leave off the last `;`.
                if !pending.isEmpty { await execute(pending.joined(separator: "\n")) }
                break loop
            case .interrupted:
                pending = []
            case .line(let line):
                switch ShellInput.classify(line, atStatementStart: pending.isEmpty) {
                case .blank:
                    continue
                case .use(let name):
                    remember(line)
                    use(name)
                case .command(let name, let arguments):
                    remember(line)
                    if !command(name, arguments) { break loop }
                case .statementText:
                    pending.append(line)
                    let text = pending.joined(separator: "\n")
                    if ShellInput.isComplete(text) {
                        pending = []
                        remember(text)
                        await execute(text)
                    }
                }
            }
        }
        saveHistory()
    }

    private func execute(_ text: String) async {
        let clock = ContinuousClock()
        let start = clock.now
        defer { completer.invalidate() }
        let results: [StatementResult]
        do {
            results = try await connection.run(text, database: database)
        } catch {
            StandardError.write("\(error)\n")
            return
        }
        let elapsed = start.duration(to: clock.now)
        print(output.render(results), terminator: "")
        for error in QueryOutput.errors(results) { StandardError.write(error + "\n") }
        if timing { print(QueryOutput.summary(rows: ResultTable.rowCount(results), elapsed: elapsed)) }
    }

    private func use(_ name: String) {
        database = name
        print("Using database \(name)")
    }

    /// Runs a dot-command; false to quit.
    private func command(_ name: String, _ arguments: [String]) -> Bool {
        switch (name, arguments.count) {
        case ("quit", _), ("exit", _), ("q", _):
            return false
        case ("help", _):
            print(Self.help)
        case ("format", 0):
            print(output.format.rawValue)
        case ("format", 1):
            guard let format = QueryOutput.Format(rawValue: arguments[0].lowercased()) else {
                StandardError.write("unknown format \(arguments[0]): use table, csv or json\n")
                break
            }
            output.format = format
        case ("timing", 0):
            print(timing ? "on" : "off")
        case ("timing", 1) where ["on", "off"].contains(arguments[0].lowercased()):
            timing = arguments[0].lowercased() == "on"
        case ("epoch", 0):
            print(output.epoch?.rawValue ?? "rfc3339")
        case ("epoch", 1):
            let text = arguments[0].lowercased()
            if text == "rfc3339" || text == "off" {
                output.epoch = nil
            } else if let epoch = TimeUnit(parameter: text) {
                output.epoch = epoch
            } else {
                StandardError.write("unknown epoch \(arguments[0]): use h, m, s, ms, u, ns or rfc3339\n")
            }
        case ("db", 0):
            print(database ?? "(none)")
        case ("db", 1):
            use(arguments[0])
        default:
            StandardError.write("unknown command .\(name)\(arguments.isEmpty ? "" : " " + arguments.joined(separator: " ")) (.help lists them)\n")
        }
        return true
    }

    private func remember(_ entry: String) {
        guard editor.isInteractive else { return }
        editor.addHistory(entry)
        saveHistory()
    }

    private func saveHistory() {
        guard editor.isInteractive, let historyPath else { return }
        editor.history.save(path: historyPath)
    }

    static let help = """
        Statements are InfluxQL, ended by ';' (they may span lines). Commands:
          .format table|csv|json   how results print (default table)
          .epoch h|m|s|ms|u|ns|rfc3339
                                   times as integers in that unit, or RFC 3339
          .timing on|off           print the row count and time taken after each query
          .db NAME  (or USE NAME)  default database for statements that do not name one
          .help                    this text
          .quit  (or Ctrl-D)       leave
        Keys: arrows, Home/End (Ctrl-A/E), Ctrl-U/K/W to delete, Up/Down for history,
        Tab to complete keywords and names, Ctrl-C to drop the current statement.
        """
}
