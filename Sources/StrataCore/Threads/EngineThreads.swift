import Foundation

/// Where the engine's background work runs (docs/architecture.md, "Threads"). None of it
/// runs on Swift's cooperative pool, which only coordinates: on the 2-core reference machine
/// that pool has two threads and they also serve every connection, the live fan-out and
/// `/ping`, so a flush encoding 200 MiB there once held `/ping` for seconds.
///
/// One thread per kind of work, because each kind already runs one at a time (flushes are
/// chained, compactions and retention passes are serialized): a second thread would only
/// let background work take both cores. The kernel time-slices these threads with the
/// cooperative ones, so a request waits milliseconds for a core, never for a whole flush.
///
/// Not here: the WAL's group commit (write + fdatasync + apply) and the manifest saves run
/// on a serial dispatch queue per engine (their order matters; dispatch gives such a queue a
/// thread outside the cooperative pool).
public final class EngineThreads: Sendable {
    /// Flushes: sorting and encoding a frozen head, writing and syncing the segment, and
    /// removing the WAL files it made redundant. Normal priority: ingest memory depends on
    /// flushes keeping up.
    public let flush: BlockingWorkPool
    /// Compactions (merge, encode, rate-limited writes of segments and tier files) and
    /// retention passes. Niceness 10: background work that may lag under load, paced by
    /// `EngineOptions.compactionBytesPerSecond` besides.
    public let compaction: BlockingWorkPool
    /// Short blocking I/O on behalf of async callers: reading retained WAL files for the
    /// change feed (`readChanges`), removing expired WAL files.
    public let io: BlockingWorkPool
    /// Helpers of a scan's decoding and merging, a series per item, beside the thread that
    /// called the scan (a query thread): one per core but one, so a scan uses every core as
    /// it did with `DispatchQueue.concurrentPerform`, whose helpers are, on Linux, the
    /// cooperative pool's own threads.
    public let scan: BlockingWorkPool

    public init(flush: BlockingWorkPool, compaction: BlockingWorkPool, io: BlockingWorkPool, scan: BlockingWorkPool) {
        self.flush = flush
        self.compaction = compaction
        self.io = io
        self.scan = scan
    }

    /// A new set of pools (names get `prefix`): one thread each for flushes, compactions and
    /// I/O, one per core but one (at least one) for scan helpers.
    public convenience init(prefix: String = "strata") {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        self.init(flush: BlockingWorkPool(threads: 1, name: "\(prefix)-flush", stackSize: 8 << 20),
                  compaction: BlockingWorkPool(threads: 1, name: "\(prefix)-compact", niceness: 10, stackSize: 8 << 20),
                  io: BlockingWorkPool(threads: 1, name: "\(prefix)-io", stackSize: 8 << 20),
                  scan: BlockingWorkPool(threads: max(1, cores - 1), name: "\(prefix)-scan", stackSize: 8 << 20))
    }

    /// The process's pools, shared by every engine it opens (the server opens one; tests
    /// open many and must not start threads per engine).
    public static let shared = EngineThreads()

    /// Stops the pools' threads once their queued work is done (pools made for one test).
    public func shutdown() {
        flush.shutdown()
        compaction.shutdown()
        io.shutdown()
        scan.shutdown()
    }
}
