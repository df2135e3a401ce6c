import Logging
import Synchronization

/// TEMPORARY STUB (replaced by the real engine in this same issue): keeps points in memory
/// so that the server and CLI can be built against the final API.
public final class StorageEngine: Sendable {
    public let directory: String
    private let state = Mutex<[WriteBatch]>([])
    private let sequence = Atomic<UInt64>(0)

    private init(directory: String) {
        self.directory = directory
    }

    /// Opens (creating if needed) the data directory, replays the WAL.
    public static func open(
        directory: String, options: EngineOptions = EngineOptions(),
        fileSystem: any FileSystem = PosixFileSystem(), logger: Logger = Logger(label: "strata.engine")
    ) throws -> StorageEngine {
        StorageEngine(directory: directory)
    }

    /// Validates, logs durably, applies. Returns once the accepted points are durable.
    public func write(_ batch: WriteBatch) async throws -> WriteResult {
        state.withLock { $0.append(batch) }
        let seq = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        return WriteResult(sequence: seq, accepted: batch.points.count, rejected: [])
    }

    /// Writes the head to segments; returns when they are durable.
    public func flush() async throws {}

    /// Stops background work; acknowledged data stays recoverable (WAL or segments).
    public func close() async throws {}

    public func createDatabase(_ name: String) throws {}

    public func databaseNames() -> [String] { [] }

    public func stats() -> EngineStats {
        EngineStats(lastSequence: sequence.load(ordering: .relaxed), seriesCount: 0, headBytes: 0,
                    headRows: 0, segmentCount: 0, segmentBytes: 0, walFiles: 0, walBytes: 0)
    }
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
}
