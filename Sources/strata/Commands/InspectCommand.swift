import ArgumentParser
import StrataCore

/// `strata inspect`: what a data directory holds — segments, series, blocks, the encodings
/// chosen and their bytes per value, the head and the WAL (docs/cli.md).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show segments, series, blocks, encodings, bytes per value and WAL state of a data directory.",
        discussion: "Opens the directory like the server does (replaying the WAL), so the server must not be running on it."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
    var dataDir: String?

    func run() async throws {
        let dataDirectory = dataDir ?? Environment.value("STRATA_DATA_DIR") ?? "./strata-data"
        let engine = try await StorageEngine.open(directory: dataDirectory, logger: StrataLogging.logger("strata.engine"))
        print("data directory: \(dataDirectory)")
        print(DataDirectoryReport(engine: engine).render())
        try await engine.close()
    }
}
