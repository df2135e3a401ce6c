// See docs/format/manifest.md.
import Foundation

/// The one file that says which segments are live and how much of the WAL they cover.
/// Replaced atomically (temp file, fsync, rename, fsync directory), so a crash leaves the
/// old manifest or the new, and a segment file not named here is ignored (and removed).
struct Manifest: Codable, Equatable, Sendable {
    static let fileName = "MANIFEST.json"
    /// 2 added `tombstones`; 3 added compacted segments (`database`, `partitionStart`,
    /// `partitionEnd`), `tiers`, `retention` and `cuts`; 4 added `policies` (and stores named
    /// `database/policy` in `databases`). Older files are read as they are; a build that
    /// knows an older version refuses a newer one rather than misread it.
    static let currentVersion = 4
    static let readableVersions: ClosedRange<Int> = 1...4

    struct SegmentEntry: Codable, Equatable, Sendable {
        var file: String
        /// Highest WAL sequence whose rows are in this segment or an earlier one.
        var flushedThrough: UInt64
        var minTime: Int64
        var maxTime: Int64
        var series: Int
        var rows: Int
        var bytes: Int
        /// All three set for a compacted (level 1) segment: it holds exactly the rows of
        /// `database` in [partitionStart, partitionEnd). All absent for a flushed one.
        var database: String? = nil
        var partitionStart: Int64? = nil
        var partitionEnd: Int64? = nil

        var partition: PartitionKey? {
            guard let database, let partitionStart, let partitionEnd else { return nil }
            return PartitionKey(database: database, start: partitionStart, end: partitionEnd)
        }
    }

    /// A rollup tier file (docs/format/tier.md): tier `tier` of one partition.
    struct TierEntry: Codable, Equatable, Sendable {
        var file: String
        var database: String
        var tier: String
        var resolution: Int64
        var partitionStart: Int64
        var partitionEnd: Int64
        /// The raw rows it summarizes are those of the partition as of this WAL sequence.
        var flushedThrough: UInt64
        var series: Int
        var rows: Int
        var bytes: Int

        var partition: PartitionKey { PartitionKey(database: database, start: partitionStart, end: partitionEnd) }
    }

    /// Where retention has cut a database's data: everything before `raw` (raw rows) or
    /// before `tiers[name]` (that tier's buckets) is gone and never read, even while a file
    /// still holding some of it waits for compaction. Partition-aligned.
    struct RetentionCuts: Codable, Equatable, Sendable {
        var raw: Int64?
        var tiers: [String: Int64] = [:]
    }

    /// A delete whose WAL record a flush covered: it must outlive the record, since it
    /// masks rows of segments flushed before it.
    struct TombstoneEntry: Codable, Equatable, Sendable {
        struct Series: Codable, Equatable, Sendable {
            var measurement: String
            var tags: [String: String]
        }

        var sequence: UInt64
        var database: String
        /// Both absent: all time (the series were dropped).
        var minTime: Int64?
        var maxTime: Int64?
        var series: [Series]

        init(_ t: Tombstone) {
            sequence = t.sequence
            database = t.database
            minTime = t.range?.lowerBound
            maxTime = t.range?.upperBound
            series = t.keys.map { key in
                Series(measurement: key.measurement, tags: Dictionary(key.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
            }
        }

        func tombstone() throws -> Tombstone {
            let range: ClosedRange<Int64>?
            switch (minTime, maxTime) {
            case (nil, nil): range = nil
            case let (lower?, upper?) where lower <= upper: range = lower...upper
            default: throw ManifestError("tombstone \(sequence): minTime and maxTime must both be given, in order, or both absent")
            }
            let keys = series.map { SeriesKey(measurement: $0.measurement, tags: $0.tags.map { Tag($0.key, $0.value) }.sorted()) }
            return Tombstone(sequence: sequence, database: database, keys: keys, range: range)
        }
    }

    struct ManifestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    var version = Manifest.currentVersion
    /// Every WAL record at or below this sequence is in a segment; replay starts above it.
    var flushedThrough: UInt64 = 0
    var nextSegmentNumber: UInt64 = 1
    var databases: [String] = []
    var segments: [SegmentEntry] = []
    /// Ascending sequence.
    var tombstones: [TombstoneEntry] = []
    var tiers: [TierEntry] = []
    /// Retention set by statements, per database; a database absent here uses the
    /// engine's default (`EngineOptions.defaultRetention`, the serve flags).
    var retention: [String: DatabaseRetention] = [:]
    var cuts: [String: RetentionCuts] = [:]
    /// Raw retention policies per database; a database absent here has `autogen` only.
    var policies: [String: RetentionPolicies] = [:]

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        flushedThrough = try c.decode(UInt64.self, forKey: .flushedThrough)
        nextSegmentNumber = try c.decode(UInt64.self, forKey: .nextSegmentNumber)
        databases = try c.decode([String].self, forKey: .databases)
        segments = try c.decode([SegmentEntry].self, forKey: .segments)
        tombstones = try c.decodeIfPresent([TombstoneEntry].self, forKey: .tombstones) ?? []
        tiers = try c.decodeIfPresent([TierEntry].self, forKey: .tiers) ?? []
        retention = try c.decodeIfPresent([String: DatabaseRetention].self, forKey: .retention) ?? [:]
        cuts = try c.decodeIfPresent([String: RetentionCuts].self, forKey: .cuts) ?? [:]
        policies = try c.decodeIfPresent([String: RetentionPolicies].self, forKey: .policies) ?? [:]
    }

    /// The publishing order (docs/compaction.md, "Levels"): compacted segments by
    /// `flushedThrough`, then flushed ones in flush order, so later entries win over earlier
    /// ones (every flushed segment left is newer than every compacted one); tier files by
    /// database, partition and resolution.
    mutating func orderFiles() {
        let compacted = segments.filter { $0.partition != nil }
            .sorted { ($0.flushedThrough, $0.file) < ($1.flushedThrough, $1.file) }
        segments = compacted + segments.filter { $0.partition == nil }
        tiers.sort { ($0.database, $0.partitionStart, $0.resolution, $0.file) < ($1.database, $1.partitionStart, $1.resolution, $1.file) }
    }

    /// The file name of tier file `number` (beside the segments, numbered from the same counter).
    static func tierFileName(number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".tier"
    }

    static func load(directory: String, fileSystem: any FileSystem) throws -> Manifest {
        let path = FilePath.join(directory, fileName)
        guard fileSystem.fileExists(path) else { return Manifest() }
        let bytes = try fileSystem.readFile(path)
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
        } catch {
            throw EngineError.corruptManifest(path: path, reason: "\(error)")
        }
        guard readableVersions.contains(manifest.version) else {
            throw EngineError.corruptManifest(path: path, reason: "version \(manifest.version), this build reads \(readableVersions)")
        }
        for entry in manifest.tombstones {
            do { _ = try entry.tombstone() } catch {
                throw EngineError.corruptManifest(path: path, reason: "\(error)")
            }
        }
        return manifest
    }

    func save(directory: String, fileSystem: any FileSystem) throws {
        var manifest = self
        manifest.version = Manifest.currentVersion
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(manifest)
        try fileSystem.writeFileAtomically(FilePath.join(directory, Manifest.fileName), contents: Array(data))
    }
}

public enum EngineError: Error, Sendable, CustomStringConvertible {
    case corruptManifest(path: String, reason: String)
    case corruptSegment(path: String, reason: String)
    case corruptWALRecord(sequence: UInt64, reason: String)
    case closed
    case invalidName(String)
    case directoryInUse(String)
    case deleteTooLarge(series: Int)
    case invalidRetention(String)
    case databaseNotFound(String)
    case policyNotFound(String)
    /// The head holds `cache-max-memory-size` and no flush made room in time.
    case headFull(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case let .headFull(bytes, limit): "cache-max-memory-size exceeded: (\(bytes)/\(limit))"
        case let .corruptManifest(path, reason): "manifest \(path) is unreadable: \(reason)"
        case let .corruptSegment(path, reason): "segment \(path) is corrupt: \(reason)"
        case let .corruptWALRecord(sequence, reason): "WAL record \(sequence) does not decode: \(reason)"
        case .closed: "the storage engine is closed"
        case let .invalidName(reason): reason
        case let .invalidRetention(reason): reason
        case let .databaseNotFound(name): "database not found: \(name)"
        case let .policyNotFound(name): "retention policy not found: \(name)"
        case let .deleteTooLarge(series):
            "the delete matches \(series) series, more than one WAL record can list; narrow it (e.g. per measurement)"
        case let .directoryInUse(directory):
            "data directory \(directory) is in use by another Strata process (a running `strata serve`?); stop it first"
        }
    }
}
