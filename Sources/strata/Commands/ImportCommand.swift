import ArgumentParser
import Logging
import StrataCore
import StrataServer

/// `strata import`: loads line-protocol files straight into a data directory (no server).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load line-protocol files into a data directory (the server must not be running on it).",
        discussion: """
            Files are streamed in chunks of whole lines; `-` reads stdin. The database is created \
            if it does not exist. Lines without a timestamp get the time their chunk was read. \
            Exits 1 when any line was rejected (the other lines are still written), 0 otherwise.
            """
    )

    @Argument(help: "Line-protocol files; - for stdin.")
    var files: [String]

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./strata-data).")
    var dataDir: String?

    @Option(help: "Database to write into.")
    var db = "strata"

    @Option(help: "Timestamp precision of the input: ns, us, ms or s.")
    var precision = "ns"

    @Option(name: .customLong("batch-lines"), help: "Lines per engine write.")
    var batchLines = 5_000

    /// Writes in flight at once: enough for the engine's group commit to fold several batches
    /// into one fsync, few enough that memory stays at a handful of batches.
    static let writesInFlight = 4
    /// 4 MiB per read: large enough that read(2) and parse overheads vanish, small enough that
    /// a chunk's parsed points (~3× its bytes) stay modest.
    static let chunkBytes = 4 << 20
    static let reasonsShown = 10

    func validate() throws {
        guard ["ns", "us", "ms", "s"].contains(precision) else {
            throw ValidationError("--precision must be ns, us, ms or s, got \"\(precision)\"")
        }
        guard batchLines > 0 else { throw ValidationError("--batch-lines must be positive") }
        guard !files.isEmpty else { throw ValidationError("give at least one file (or - for stdin)") }
    }

    func run() async throws {
        let dataDirectory = dataDir ?? Environment.value("STRATA_DATA_DIR") ?? "./strata-data"
        // An offline import has no live subscriber that could resume by sequence, so the
        // WAL it wrote is removed as soon as its flush made it redundant.
        var options = EngineOptions()
        options.walRetentionSeconds = 0
        options.walRetentionBytes = 0
        let engine = try await StorageEngine.open(
            directory: dataDirectory, options: options, logger: StrataLogging.logger("strata.engine"))
        let clock = ContinuousClock()
        let start = clock.now
        var tally = ImportTally()
        do {
            if !engine.databaseExists(db) { try await engine.createDatabase(db) }
            var progress = ImportProgress()
            for file in files {
                try await importFile(file, into: engine, tally: &tally, progress: &progress, since: start)
            }
            progress.finish()
            try await engine.flush()
        } catch {
            try? await engine.close()
            throw error
        }
        try await engine.close()
        print(tally.summary(elapsed: start.duration(to: clock.now), shown: Self.reasonsShown))
        if tally.rejected > 0 { throw ExitCode(1) }
    }

    private func importFile(
        _ file: String, into engine: StorageEngine, tally: inout ImportTally, progress: inout ImportProgress,
        since start: ContinuousClock.Instant
    ) async throws {
        let reader = try LineChunkReader(path: file, chunkBytes: Self.chunkBytes)
        let parser = LineProtocolParser(precision: TimeUnit(parameter: precision) ?? .nanoseconds)
        let (db, batchLines) = (self.db, self.batchLines)
        tally.files += 1
        var baseLine = 0
        try await withThrowingTaskGroup(of: BatchOutcome.self) { group in
            var inFlight = 0
            while let chunk = try reader.nextChunk() {
                let parsed = chunk.withUnsafeBytes { parser.parse($0, defaultTimestamp: engine.options.clock.now()) }
                tally.lines += parsed.points.count + parsed.errors.count
                for error in parsed.errors {
                    tally.reject(file: file, line: baseLine + error.line,
                                 reason: "unable to parse '\(error.text)': \(error.reason) (column \(error.column))")
                }
                for from in stride(from: 0, to: parsed.points.count, by: batchLines) {
                    let to = min(from + batchLines, parsed.points.count)
                    let points = Array(parsed.points[from..<to])
                    let lines = parsed.lineNumbers[from..<to].map { $0 + baseLine }
                    if inFlight >= Self.writesInFlight, let done = try await group.next() {
                        tally.add(done)
                        inFlight -= 1
                    }
                    group.addTask {
                        let report = try await IngestReport.write(points, lineNumbers: lines, to: db, engine: engine)
                        return BatchOutcome(file: file, points: points, report: report)
                    }
                    inFlight += 1
                }
                baseLine += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                progress.update(file: file, bytes: reader.bytesRead, totalBytes: reader.totalBytes,
                                lines: tally.lines, elapsed: start.duration(to: ContinuousClock.now))
            }
            while let done = try await group.next() { tally.add(done) }
        }
    }
}

/// One engine write of an import and what became of it.
struct BatchOutcome: Sendable {
    var file: String
    var points: [Point]
    var report: IngestReport
}

/// Counts for the summary `strata import` prints.
struct ImportTally {
    var files = 0
    var lines = 0
    var values = 0
    var rejected = 0
    var reasons: [String] = []

    mutating func reject(file: String, line: Int, reason: String) {
        rejected += 1
        if reasons.count < ImportCommand.reasonsShown { reasons.append("\(file):\(line): \(reason)") }
    }

    mutating func add(_ outcome: BatchOutcome) {
        let refused = Set(outcome.report.rejectedIndexes)
        for (i, point) in outcome.points.enumerated() where !refused.contains(i) {
            values += point.fields.count
        }
        for drop in outcome.report.dropped {
            reject(file: outcome.file, line: drop.line, reason: drop.reason)
        }
    }

    func summary(elapsed: Duration, shown: Int) -> String {
        let seconds = max(elapsed.seconds, 1e-9)
        var out = """
            files: \(files)
            lines: \(lines)
            values: \(values)
            rejected lines: \(rejected)
            elapsed: \(Format.oneDecimal(seconds)) s
            lines/s: \(Int(Double(lines) / seconds))
            values/s: \(Int(Double(values) / seconds))
            """
        if !reasons.isEmpty {
            out += "\nfirst rejected lines:"
            for reason in reasons { out += "\n  \(reason)" }
            if rejected > reasons.count { out += "\n  ... and \(rejected - reasons.count) more" }
        }
        return out
    }
}
