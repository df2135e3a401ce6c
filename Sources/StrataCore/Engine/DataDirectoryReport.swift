/// What `strata inspect` prints: segments, series, blocks, the encodings chosen and the
/// bytes they take per value, and the WAL's state. Built from an open engine.
public struct DataDirectoryReport: Sendable {
    public struct EncodingUse: Sendable {
        public var name: String
        public var blocks = 0
        public var values = 0
        public var bytes = 0
    }

    public struct SegmentSummary: Sendable {
        public var file: String
        public var bytes: Int
        public var series: Int
        public var rowBlocks: Int
        public var rows: Int
        public var values: Int
    }

    /// A database's retention and partitions.
    public struct DatabaseSummary: Sendable {
        public var name: String
        public var retention: DatabaseRetention
        public var partitions: [PartitionInfo]
    }

    public var segments: [SegmentSummary] = []
    public var databases: [DatabaseSummary] = []
    /// Keyed by "<column kind> <encoding>", e.g. "float decimal+lz4", "time deltaConstant".
    public var encodings: [String: EncodingUse] = [:]
    public var stats: EngineStats
    public var replay: WALReplayReport

    /// Field values stored in segments (a value is one field of one row, as the benchmark counts).
    public var segmentValues: Int { segments.reduce(0) { $0 + $1.values } }
    public var segmentBytes: Int { segments.reduce(0) { $0 + $1.bytes } }

    public init(engine: StorageEngine) {
        stats = engine.stats()
        replay = engine.replayReport
        for reader in engine.segmentReaders() { add(reader) }
        let partitions = Dictionary(grouping: engine.partitions(), by: \.partition.database)
        // Every store: a database's other raw policies are listed as `database/policy`.
        let stores = engine.databaseNames().flatMap { engine.stores(database: $0).map(\.store) }
        for name in Set(stores).union(partitions.keys).sorted() {
            databases.append(DatabaseSummary(name: name, retention: engine.retention(database: name),
                                             partitions: partitions[name] ?? []))
        }
    }

    private mutating func add(_ reader: SegmentReader) {
        var summary = SegmentSummary(file: FilePath.name(of: reader.path), bytes: reader.fileSize,
                                     series: reader.series.count, rowBlocks: 0, rows: 0, values: 0)
        for s in reader.series {
            summary.rowBlocks += s.rowBlocks.count
            for block in s.rowBlocks {
                summary.rows += block.rows
                count(kind: "time", ref: block.timestamps, skip: 0, values: block.rows, reader: reader)
            }
            for field in s.fields {
                for (b, fb) in field.blocks.enumerated() {
                    guard let fb else { continue }
                    summary.values += fb.stats.count
                    let bitmap = fb.hasPresenceBitmap ? (s.rowBlocks[b].rows + 7) / 8 : 0
                    count(kind: "\(field.type)", ref: fb.data, skip: bitmap, values: fb.stats.count, reader: reader)
                }
            }
        }
        segments.append(summary)
    }

    private mutating func count(kind: String, ref: BlockRef, skip: Int, values: Int, reader: SegmentReader) {
        let tagOffset = ref.offset + skip
        var name = "\(kind) ?"
        if tagOffset < reader.fileSize, skip < ref.length, let tag = try? reader.bytes(at: tagOffset, count: 1).first {
            let encoding = BlockEncoding(rawValue: tag & ~BlockEncoding.lz4Flag).map { "\($0)" } ?? "unknown(\(tag))"
            name = "\(kind) \(encoding)\(tag & BlockEncoding.lz4Flag != 0 ? "+lz4" : "")"
        }
        encodings[name, default: EncodingUse(name: name)].blocks += 1
        encodings[name]!.values += values
        encodings[name]!.bytes += ref.length
    }

    /// A plain-text rendering for terminals.
    public func render() -> String {
        var lines: [String] = []
        let perValue = segmentValues > 0 ? Double(segmentBytes) / Double(segmentValues) : 0
        lines.append("segments: \(segments.count), \(segmentBytes) bytes, \(segmentValues) values, "
                     + "\(format(perValue)) bytes/value (whole files, timestamps and tables included)")
        for s in segments {
            lines.append("  \(s.file)  \(s.bytes) B  series \(s.series)  row blocks \(s.rowBlocks)  rows \(s.rows)  values \(s.values)")
        }
        lines.append("encodings (column kind, encoding: blocks, values, bytes, bytes/value):")
        for use in encodings.values.sorted(by: { $0.bytes > $1.bytes }) {
            let bpv = use.values > 0 ? Double(use.bytes) / Double(use.values) : 0
            lines.append("  \(use.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(use.blocks) blocks  \(use.values) values  \(use.bytes) B  \(format(bpv)) B/value")
        }
        for db in databases { lines += render(db) }
        lines.append("series: \(stats.seriesCount)")
        lines.append("head: \(stats.headRows) rows, ~\(stats.headBytes) bytes not yet in segments")
        lines.append("compacted: \(stats.partitions) partitions with raw data, \(stats.tierFiles) tier files, \(stats.tierBytes) bytes of tiers")
        lines.append("wal: \(stats.walFiles) files, \(stats.walBytes) bytes, last sequence \(stats.lastSequence)")
        lines.append("last open: replayed \(replay.recordsReplayed) WAL records, skipped \(replay.recordsSkipped) already in segments"
                     + (replay.truncatedTail.map { "; \($0)" } ?? ""))
        return lines.joined(separator: "\n")
    }

    private func render(_ db: DatabaseSummary) -> [String] {
        let r = db.retention
        let tiers = r.tiers.map { "\($0.name) (\(DurationText.format($0.resolution, .influxQL)) buckets, kept \($0.duration.map { DurationText.format($0, .influxQL) } ?? "forever"))" }
        var lines = ["database \(db.name): raw kept \(r.rawDuration.map { DurationText.format($0, .influxQL) } ?? "forever"), "
                     + "shard duration \(DurationText.format(r.partitionDuration, .influxQL)), tiers: \(tiers.isEmpty ? "none" : tiers.joined(separator: ", "))"]
        lines.append("  partitions (start, end, raw rows, raw bytes, tier rows and bytes, uncompacted segments):")
        for p in db.partitions {
            let tierText = p.tiers.map { "\($0.name) \($0.rows) rows \($0.bytes) B" }.joined(separator: ", ")
            lines.append("    \(RFC3339.format(p.partition.start))  \(RFC3339.format(p.partition.end))  "
                         + "raw \(p.rawFile == nil ? "-" : "\(p.rawRows) rows \(p.rawBytes) B")  "
                         + "tiers \(tierText.isEmpty ? "-" : tierText)  uncompacted \(p.uncompactedSegments)")
        }
        if db.partitions.isEmpty { lines.append("    (none)") }
        return lines
    }

    private func format(_ v: Double) -> String {
        let scaled = (v * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
