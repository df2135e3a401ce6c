// See docs/format/wal.md.
import CoreMetrics
import Dispatch
import Logging
import Synchronization

/// The write-ahead log: segmented files of checksummed, sequenced records.
///
/// Group commit: `append` queues its record and suspends; one writer on a serial queue takes
/// everything queued, writes it with one `write` and one `fdatasync`, applies each record in
/// sequence order (`onDurable`), then resumes every waiter. While one sync runs the next
/// group gathers, so the number of syncs adapts to the load. The queue's thread is
/// dispatch's, outside Swift's cooperative pool: a slow fdatasync holds no thread that
/// serves requests (the appending tasks wait suspended).
///
/// After a write or sync error the log refuses all further appends: what reached the disk
/// is unknown (fsync errors are not retryable on Linux), so only a restart's replay can say.
public final class WriteAheadLog: Sendable {
    public let directory: String
    let fileSystem: any FileSystem
    let segmentBytes: Int
    let logger: Logger
    /// When a file closed, for retention by age. The engine passes its own
    /// (`EngineOptions.clock`), so a test can step it.
    let clock: any WallClock
    private let queue = DispatchQueue(label: "strata.wal")
    let state: Mutex<State>
    /// Only touched on `queue`.
    let writer: Mutex<Writer>
    /// Held while retained files are replaced by resume maps or removed, so the two never
    /// act on the same file at once. Never held by a commit.
    let maintenance = Mutex(())
    /// Each group commit's fdatasync (docs/metrics.md).
    let fsyncTimer: CoreMetrics.Timer

    /// The label of the fsync timer, for metric backends that configure it by name.
    public static let fsyncMetricLabel = "strata_wal_fsync_duration_seconds"

    struct Pending {
        var sequence: UInt64
        var type: WALRecordType
        var payload: [UInt8]
        var onDurable: @Sendable (UInt64) -> Void
        var continuation: CheckedContinuation<UInt64, any Error>
    }

    struct RotateRequest {
        var onRotate: @Sendable (UInt64) -> Void
        var continuation: CheckedContinuation<UInt64, any Error>
    }

    struct State {
        var pending: [Pending] = []
        var rotations: [RotateRequest] = []
        var nextSequence: UInt64
        var lastDurable: UInt64
        var draining = false
        var failure: WALError?
    }

    struct FileInfo: Sendable {
        var name: String
        var firstSequence: UInt64
        var bytes: Int
        /// When it stopped receiving records (its successor was created), in seconds since
        /// the epoch; nil for the file being written.
        var closedAt: Double?
        /// A resume map (docs/format/wal.md, "Resume maps") rather than a log file.
        var isMap = false
    }

    struct Writer: @unchecked Sendable {
        var file: (any WritableFile)?
        var files: [FileInfo]
    }

    init(directory: String, fileSystem: any FileSystem, segmentBytes: Int, logger: Logger,
         files: [FileInfo], current: any WritableFile, lastSequence: UInt64,
         metricsFactory: (any MetricsFactory)? = nil, clock: any WallClock = SystemClock()) {
        self.directory = directory
        self.clock = clock
        // `strata serve` passes the Prometheus factory its /metrics renders (through
        // EngineOptions); without one, the process-wide factory (a no-op unless bootstrapped).
        self.fsyncTimer = CoreMetrics.Timer(label: Self.fsyncMetricLabel, factory: metricsFactory ?? MetricsSystem.factory)
        self.fileSystem = fileSystem
        self.segmentBytes = segmentBytes
        self.logger = logger
        self.state = Mutex(State(nextSequence: lastSequence + 1, lastDurable: lastSequence))
        self.writer = Mutex(Writer(file: current, files: files))
    }

    /// The highest sequence number that is durable and applied.
    public var lastSequence: UInt64 { state.withLock { $0.lastDurable } }

    /// Appends a record; returns its sequence number once it is durable and `onDurable` has
    /// run. `onDurable` runs on the log's queue, in sequence order, before any later record's.
    public func append(type: WALRecordType, payload: [UInt8],
                       onDurable: @escaping @Sendable (UInt64) -> Void) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Bool, WALError> = state.withLock { s in
                if let failure = s.failure { return .failure(failure) }
                s.pending.append(Pending(sequence: s.nextSequence, type: type, payload: payload,
                                         onDurable: onDurable, continuation: continuation))
                s.nextSequence += 1
                return .success(startDrainLocked(&s))
            }
            switch outcome {
            case .failure(let error): continuation.resume(throwing: error)
            case .success(true): queue.async { self.drain() }
            case .success(false): break
            }
        }
    }

    /// Starts a new file once the records queued before this call are durable. `onRotate`
    /// gets the new file's first sequence and runs on the log's queue, so no record is
    /// applied between the switch and it: everything below that sequence is in older files.
    public func rotate(onRotate: @escaping @Sendable (UInt64) -> Void = { _ in }) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Bool, WALError> = state.withLock { s in
                if let failure = s.failure { return .failure(failure) }
                s.rotations.append(RotateRequest(onRotate: onRotate, continuation: continuation))
                return .success(startDrainLocked(&s))
            }
            switch outcome {
            case .failure(let error): continuation.resume(throwing: error)
            case .success(true): queue.async { self.drain() }
            case .success(false): break
            }
        }
    }

    private func startDrainLocked(_ s: inout State) -> Bool {
        if s.draining { return false }
        s.draining = true
        return true
    }

    /// Runs on `queue` until nothing is queued.
    private func drain() {
        while true {
            let (group, rotations) = state.withLock { s -> ([Pending], [RotateRequest]) in
                if s.pending.isEmpty && s.rotations.isEmpty {
                    s.draining = false
                    return ([], [])
                }
                defer { s.pending = []; s.rotations = [] }
                return (s.pending, s.rotations)
            }
            if group.isEmpty && rotations.isEmpty { return }
            if !group.isEmpty { commit(group) }
            if !rotations.isEmpty { performRotations(rotations) }
        }
    }

    private func commit(_ group: [Pending]) {
        var w = BinaryWriter(capacity: group.reduce(0) { $0 + $1.payload.count + WALFormat.recordHeaderSize })
        for p in group { WALFormat.appendRecord(sequence: p.sequence, type: p.type, payload: p.payload, to: &w) }
        do {
            try writer.withLock { wr throws(FileSystemError) in
                guard let file = wr.file else {
                    throw FileSystemError(operation: "append", path: directory, errno: 0, message: "WAL is closed")
                }
                try file.append(w.bytes)
                let started = ContinuousClock.now
                try file.sync()
                fsyncTimer.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
                wr.files[wr.files.count - 1].bytes = file.size
            }
        } catch {
            fail(group, error: .failed("WAL write failed, refusing further writes until restart: \(error)"))
            return
        }
        for p in group { p.onDurable(p.sequence) }
        state.withLock { $0.lastDurable = group[group.count - 1].sequence }
        for p in group { p.continuation.resume(returning: p.sequence) }
        let size = writer.withLock { $0.file?.size ?? 0 }
        if size >= segmentBytes { _ = try? startNewFile() }
    }

    private func performRotations(_ requests: [RotateRequest]) {
        do {
            let first = try startNewFile()
            for r in requests {
                r.onRotate(first)
                r.continuation.resume(returning: first)
            }
        } catch {
            let walError = WALError.failed("WAL rotation failed, refusing further writes until restart: \(error)")
            state.withLock { $0.failure = walError }
            for r in requests { r.continuation.resume(throwing: walError) }
        }
    }

    private func fail(_ group: [Pending], error: WALError) {
        let rest = state.withLock { s -> [Pending] in
            s.failure = error
            defer { s.pending = [] }
            return s.pending
        }
        logger.error("WAL failed", metadata: ["error": "\(error)"])
        for p in group + rest { p.continuation.resume(throwing: error) }
    }

    /// Creates the next file (header synced, directory synced) and makes it current.
    /// Returns its first sequence. Runs on `queue`.
    @discardableResult
    private func startNewFile() throws(FileSystemError) -> UInt64 {
        let first = state.withLock { $0.lastDurable + 1 }
        let name = WALFormat.fileName(firstSequence: first)
        try writer.withLock { wr throws(FileSystemError) in
            if let last = wr.files.last, last.firstSequence == first, last.bytes <= WALFormat.fileHeaderSize {
                return  // the current file is still empty: nothing to rotate
            }
            let path = FilePath.join(directory, name)
            let file = try fileSystem.openForAppend(path, create: true)
            try file.append(WALFormat.fileHeader(firstSequence: first))
            try file.sync()
            try fileSystem.syncDirectory(directory)
            try wr.file?.close()
            if !wr.files.isEmpty { wr.files[wr.files.count - 1].closedAt = clock.seconds() }
            wr.file = file
            wr.files.append(FileInfo(name: name, firstSequence: first, bytes: file.size, closedAt: nil))
        }
        return first
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// Closes the current file after every queued record is durable.
    public func close() async {
        state.withLock { s in
            if s.failure == nil { s.failure = .failed("WAL is closed") }
        }
        // The queue is serial: this runs after any drain already scheduled has emptied it.
        // Awaited, not `queue.sync`: the caller's thread (a cooperative one) is not held
        // while a group commit's fdatasync finishes.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.writer.withLock { wr in
                    try? wr.file?.close()
                    wr.file = nil
                }
                continuation.resume()
            }
        }
    }
}
