import ArgumentParser

/// `strata shell`: an interactive InfluxQL prompt against a data directory or a server.
struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive InfluxQL prompt against a data directory (--data-dir) or a server (--url).",
        discussion: """
            Statements end with ';'. History is kept in ~/.strata_history (STRATA_HISTORY overrides \
            the path), the last 1000 entries. When stdin is not a terminal, lines are read plainly \
            (no prompt, no history), so a script can be piped in.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Query this data directory directly (no server may be running on it).")
    var dataDir: String?

    @Option(help: "Server to query (default \(QueryConnection.defaultURL)).")
    var url: String?

    @Option(help: "Token for a server that requires one (default: STRATA_TOKEN; the variable keeps it out of ps).")
    var token: String?

    @Option(help: "Default database for statements that do not name one.")
    var db: String?

    func validate() throws {
        if dataDir != nil, url != nil { throw ValidationError("give --data-dir or --url, not both") }
    }

    func run() async throws {
        let connection: QueryConnection
        do {
            connection = try QueryConnection.open(dataDir: dataDir, url: url, token: token)
        } catch {
            StandardError.write("strata shell: \(error)\n")
            throw ExitCode(1)
        }
        let historyPath = LineEditorHistory.defaultPath()
        let editor = LineEditor(history: LineEditorHistory.load(path: historyPath))
        let shell = Shell(connection: connection, database: db, editor: editor, historyPath: historyPath)
        await shell.run()
        await connection.close()
    }
}
