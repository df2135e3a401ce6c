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

    @OptionGroup var target: QueryTargetOptions

    func run() async throws {
        let connection: QueryConnection
        do {
            connection = try target.open()
        } catch {
            StandardError.write("strata shell: \(error)\n")
            throw ExitCode(1)
        }
        let historyPath = LineEditorHistory.defaultPath()
        let editor = LineEditor(history: LineEditorHistory.load(path: historyPath))
        let shell = Shell(connection: connection, database: target.db, editor: editor, historyPath: historyPath)
        await shell.run()
        await connection.close()
    }
}
