import Foundation
import ArgumentParser
import StrataCore

/// `strata compact`: compacts a data directory offline and applies retention, as the
/// server does in the background (docs/cli.md).
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge flushed segments into one per partition, write rollup tiers and apply retention (the server must not be running on it).",
        discussion: """
            Give the retention flags the server runs with: a database no CREATE/ALTER RETENTION \
            POLICY configured uses them (the flags are not stored in the data directory).
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
    var dataDir: String?

    @OptionGroup var retention: RetentionFlags

    func run() async throws {
        let dataDirectory = dataDir ?? Environment.value("STRATA_DATA_DIR") ?? "./strata-data"
        var options = EngineOptions()
        try retention.apply(to: &options)
        // This command is the compaction; a background one would only wait for it.
        options.backgroundCompaction = false
        let engine = try await StorageEngine.open(
            directory: dataDirectory, options: options, logger: StrataLogging.logger("strata.engine"))
        let report: CompactionReport
        do {
            // What the WAL holds goes into segments first, so it is compacted too.
            try await engine.flush()
            report = try await engine.compact()
        } catch {
            try? await engine.close()
            throw error
        }
        try await engine.close()
        print(Self.render(report))
    }

    static func render(_ r: CompactionReport) -> String {
        """
        partitions written: \(r.partitionsWritten)
        segments merged: \(r.segmentsMerged)
        rows written: \(r.rowsWritten)
        rows dropped: \(r.rowsDropped)
        bytes written: \(r.bytesWritten)
        tier files written: \(r.tierFilesWritten)
        partitions expired: \(r.partitionsExpired)
        tier files expired: \(r.tierFilesExpired)
        seconds: \(String(format: "%.3f", r.seconds))
        """
    }
}
