import Logging
import Synchronization

/// The storage engine: WAL, head, segments and series index behind one API.
///
/// Write: validate field types → WAL (group commit, fsync) → head → change feed.
/// Read: series from the index, rows from segments, frozen heads and the head, merged.
/// Flush: the head is frozen at a WAL rotation, written as a segment beside ingest, and
/// dropped once the manifest names the segment. See docs/architecture.md.
public final class StorageEngine: Sendable {
    public let directory: String
    public let options: EngineOptions
    let fileSystem: any FileSystem
    let logger: Logger
    let wal: WriteAheadLog
    let feed: ChangeFeed
    let state: Mutex<EngineState>
    /// The flush in progress, if any; flushes run one at a time.
    let flushTask = Mutex<Task<Void, any Error>?>(nil)
    /// The last compaction or retention pass queued; they run one at a time, each after
    /// the one queued before it.
    let compactionTask = Mutex<Task<CompactionReport, any Error>?>(nil)
    /// The last run replacing flushed WAL files with resume maps (`scheduleWALMapping`).
    let walMapping = Mutex<Task<Void, Never>?>(nil)
    /// Checks the head's age while no writes arrive (writes check it themselves).
    let ageWatcher = Mutex<Task<Void, Never>?>(nil)
    public let replayReport: WALReplayReport
    private let lock: any FileLock
    /// Manifest saves, serialized, off the engine lock (`ManifestSaves`).
    let manifestSaves: ManifestSaves
    /// Where background work runs (`EngineThreads`, docs/architecture.md "Threads").
    var threads: EngineThreads { options.threads }

    init(directory: String, options: EngineOptions, fileSystem: any FileSystem, logger: Logger,
         wal: WriteAheadLog, state: EngineState, replayReport: WALReplayReport, lock: any FileLock) {
        self.lock = lock
        self.directory = directory
        self.options = options
        self.fileSystem = fileSystem
        self.logger = logger
        self.wal = wal
        self.feed = ChangeFeed(lastSequence: wal.lastSequence)
        self.state = Mutex(state)
        self.replayReport = replayReport
        self.manifestSaves = ManifestSaves(label: "strata.manifest")
    }

    var segmentsDirectory: String { FilePath.join(directory, "segments") }

    /// Stops background work; everything acknowledged stays recoverable from the WAL or the
    /// segments. Writes after this fail.
    public func close() async throws {
        ageWatcher.withLock { $0?.cancel() }
        state.withLock { $0.closing = true }
        if let running = flushTask.withLock({ $0 }) { _ = try? await running.value }
        if let running = compactionTask.withLock({ $0 }) { _ = try? await running.value }
        if let running = walMapping.withLock({ $0 }) { await running.value }
        await wal.close()
        state.withLock { $0.closed = true }
        lock.release()
    }

    /// Creates a database (durably, in the manifest) whose one raw policy is `policy`, with
    /// `retention` (nil: the engine's default); does nothing if it exists. Blocks the
    /// calling thread for the manifest save (a few milliseconds), with the engine lock
    /// released meanwhile.
    @available(*, noasync)
    public func createDatabase(_ name: String, policy: String = DatabaseRetention.rawPolicyName,
                               retention: DatabaseRetention? = nil) throws {
        try Self.validateDatabaseName(name, store: false)
        try Self.validatePolicyName(policy)
        if let reason = retention?.validationError() { throw EngineError.invalidRetention(reason) }
        _ = try manifestSaves.runBlocking {
            try performManifestSave(prepare: { s -> (Manifest, Void)? in
                guard !s.manifest.databases.contains(name) else { return nil }
                var manifest = s.manifest
                manifest.databases.append(name)
                manifest.databases.sort()
                // A retention pass may have cut a dropped database of this name again while
                // its masked files remained; the new one starts with nothing cut.
                manifest.cuts[name] = nil
                if policy != DatabaseRetention.rawPolicyName { manifest.policies[name] = RetentionPolicies(base: policy) }
                if let retention { manifest.retention[name] = retention }
                return (manifest, ())
            }, commit: { s, saved, _ in s.adopt(saved) })
        }
    }

    /// The databases: stores of retention policies other than a database's first are not
    /// listed (`stores(database:)` gives them).
    public func databaseNames() -> [String] {
        state.withLock { $0.manifest.databases.filter { !$0.contains("/") } }
    }

    public func databaseExists(_ name: String) -> Bool {
        !name.contains("/") && state.withLock { $0.manifest.databases.contains(name) }
    }

    /// A database's name: 1 to 255 bytes, no NUL, and no '/', which separates a store's
    /// database from its policy (`RetentionPolicies`); `store` also admits `database/policy`.
    static func validateDatabaseName(_ name: String, store: Bool = true) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 255, !name.contains("\0"),
              parts.count == 1 || (store && parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty) else {
            throw EngineError.invalidName("invalid database name \"\(name)\": 1 to 255 bytes, no '/' or NUL")
        }
    }

    static func validatePolicyName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 255, !name.contains("/"), !name.contains("\0") else {
            throw EngineError.invalidName("invalid retention policy name \"\(name)\": 1 to 255 bytes, no '/' or NUL")
        }
    }

    public func stats() -> EngineStats {
        let walFiles = wal.fileInfos
        return state.withLock { s in
            EngineStats(
                lastSequence: wal.lastSequence, seriesCount: s.index.count,
                headBytes: s.head.bytes + s.frozen.reduce(0) { $0 + $1.head.bytes },
                headRows: s.head.rows + s.frozen.reduce(0) { $0 + $1.head.rows },
                segmentCount: s.segments.count, segmentBytes: s.segments.reduce(0) { $0 + $1.reader.fileSize },
                walFiles: walFiles.count, walBytes: walFiles.reduce(0) { $0 + $1.bytes },
                partitions: s.segments.reduce(0) { $0 + ($1.partition == nil ? 0 : 1) }, tierFiles: s.tiers.count,
                tierBytes: s.tiers.reduce(0) { $0 + $1.reader.fileSize }, compacting: s.compacting,
                compactions: s.compactions, compactionBytesWritten: s.compactionBytesWritten)
        }
    }
}

/// Everything the engine guards with its one lock. Critical sections are short: index
/// lookups and column appends; encoding, I/O and merging happen outside.
struct EngineState {
    var manifest: Manifest
    var index = SeriesIndex()
    var head = Head()
    /// Heads being written to segments, oldest first; readable until their segment is live.
    var frozen: [FrozenHead] = []
    /// Oldest first, as the manifest lists them.
    var segments: [LiveSegment] = []
    /// Rollup tier files, as the manifest lists them.
    var tiers: [LiveTier] = []
    /// Deletes that still mask rows of some segment or tier file (docs/format/manifest.md).
    var tombstones = TombstoneSet()
    /// A compaction is running (they run one at a time).
    var compacting = false
    /// Compactions finished since open, and the bytes they wrote.
    var compactions = 0
    var compactionBytesWritten = 0
    /// A background compaction is queued or running; none starts before this time
    /// (seconds since the epoch) after a failure; the age watcher's last retention pass.
    var autoCompactionRunning = false
    var autoCompactionBlockedUntil = 0.0
    var lastRetentionPassAt = 0.0
    /// `close()` has begun: no compaction or retention pass starts any more.
    var closing = false
    /// database → measurement → field → type: the first type written wins, as in InfluxDB.
    var fieldTypes: [String: [String: [String: FieldType]]] = [:]
    /// New series of batches admitted but not yet applied, per database (SeriesAdmission).
    var reservedSeries: [String: Int] = [:]
    var closed = false
    /// The last WAL sequence whose record (write or delete) the head reflects: a read under
    /// the lock sees exactly the records up to it, so a subscriber can continue from the
    /// change feed after it with no gap and no duplicate.
    var appliedSequence: UInt64 = 0
    /// A background flush is running (explicit flushes queue behind it).
    var autoFlushRunning = false
    /// Flushes started and not yet finished, explicit or automatic: while one runs, the
    /// heads it froze are its work, not heads a failed flush left behind.
    var flushesInFlight = 0
    /// No automatic flush before this time (seconds since the epoch): set after a failure.
    var autoFlushBlockedUntil = 0.0

    /// The tombstones that can still mask something once `segments` and `tiers` are the
    /// live files and `frozen` the heads still to be written: those above the oldest
    /// `flushedThrough` among them (docs/format/manifest.md, "Tombstones").
    func prunedTombstones(segments: [LiveSegment], tiers: [LiveTier], frozen: ArraySlice<FrozenHead>) -> TombstoneSet {
        var pruned = tombstones
        let oldest = (segments.map(\.flushedThrough) + tiers.map(\.flushedThrough) + frozen.map(\.throughSequence)).min()
        pruned.prune(atOrBelow: oldest ?? UInt64.max)
        return pruned
    }

    /// The number for a new segment or tier file. Taken in memory (the next manifest save
    /// records it), so a flush and a compaction running side by side never share one.
    mutating func reserveFileNumber() -> UInt64 {
        defer { manifest.nextSegmentNumber += 1 }
        return manifest.nextSegmentNumber
    }

    mutating func registerFieldTypes(database: String, measurement: String, fields: [Field]) {
        for field in fields where fieldTypes[database]?[measurement]?[field.key] == nil {
            fieldTypes[database, default: [:]][measurement, default: [:]][field.key] = field.value.type
        }
    }
}

struct FrozenHead {
    var head: Head
    /// Every record at or below this sequence is in this head or older storage.
    var throughSequence: UInt64
}

/// Numbers for /health, /metrics and `strata inspect`.
public struct EngineStats: Sendable, Equatable, Codable {
    public var lastSequence: UInt64
    public var seriesCount: Int
    public var headBytes: Int
    public var headRows: Int
    public var segmentCount: Int
    public var segmentBytes: Int
    public var walFiles: Int
    public var walBytes: Int
    /// Compacted partitions (with raw data) and rollup tier files, and their bytes.
    public var partitions = 0
    public var tierFiles = 0
    public var tierBytes = 0
    /// A compaction is running; compactions finished and bytes they wrote since open.
    public var compacting = false
    public var compactions = 0
    public var compactionBytesWritten = 0
}
