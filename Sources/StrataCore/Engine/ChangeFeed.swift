import Synchronization

/// A committed write with its WAL sequence number: the unit of the change feed. Its rows
/// are grouped per series as columns, in write order (not sorted, duplicates possible).
public struct CommittedBatch: Sendable {
    public var sequence: UInt64
    public var database: String
    public var series: [SeriesRows]
}

/// The recent committed batches in memory, and waiters for the next ones. Older batches are
/// read back from the WAL (`StorageEngine.changes(after:)`).
final class ChangeFeed: Sendable {
    /// 4,096 batches: at the benchmark's 5,000-line batches that is ~20 M points, several
    /// seconds of peak ingest, so a live subscriber that lags briefly never touches disk.
    static let capacity = 4_096
    /// ... and at most 64 MiB of them (estimated as the head counts rows, plus 640 bytes a
    /// series: its column dictionary, column arrays and key, measured with heaptrack on a
    /// write of 100 k new series). Batches are held as the writes made them: without a byte bound, 4,096 large
    /// writes (a 19 MB write of 1 M new series, or the benchmark's whole 6 h at full rate)
    /// stayed in memory beside the head. 16 MiB: ~1.2 M values, 20 minutes of 100 robots
    /// sending ten values a second, a fraction of a second of the shared benchmark's peak
    /// ingest; a subscriber further behind reads the WAL. At 64 MiB the feed was a third of
    /// the server's memory through that benchmark's ingest, whatever the subscribers.
    static let byteCapacity = 16 << 20

    private struct State {
        var recent: [CommittedBatch] = []
        /// Estimated bytes of each of `recent`, and of those from `start` on.
        var sizes: [Int] = []
        var bytes = 0
        var start = 0
        var last: UInt64 = 0
        var waiters: [(after: UInt64, id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiterID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(lastSequence: UInt64) {
        state = Mutex(State(last: lastSequence))
    }

    /// `valueBytes`: the batch's value bytes if the caller counted them already (the
    /// engine's apply does, for the head), so they are not counted twice on the write path.
    func publish(_ committed: CommittedBatch, valueBytes: Int? = nil) {
        let size = valueBytes.map { $0 + Self.seriesBytes * committed.series.count } ?? Self.bytes(of: committed)
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.recent.append(committed)
            s.sizes.append(size)
            s.bytes += size
            // The newest batch always stays, whatever its size: followers (the live hub
            // follows even without subscribers) read it at once, and reading a large batch
            // back from the WAL would decode a second copy of it (measured: dropping a
            // 1 M-series batch here raised peak RSS from 2.9 to 3.3 GB).
            while s.recent.count - s.start > 1, s.recent.count - s.start > Self.capacity || s.bytes > Self.byteCapacity {
                s.bytes -= s.sizes[s.start]
                // Released now, not when the array is compacted below.
                s.recent[s.start].series = []
                s.start += 1
            }
            if s.start > Self.capacity {
                s.recent.removeFirst(s.start)
                s.sizes.removeFirst(s.start)
                s.start = 0
            }
            s.last = committed.sequence
            let (wake, keep) = s.waiters.partitioned { committed.sequence > $0.after }
            s.waiters = keep
            return wake.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Batches after `sequence` if memory still holds all of them; nil if some are older.
    func recent(after sequence: UInt64, limit: Int) -> [CommittedBatch]? {
        state.withLock { s in
            let held = s.recent[s.start...]
            guard let first = held.first else { return sequence >= s.last ? [] : nil }
            guard first.sequence <= sequence + 1 else { return nil }
            // Held batches are in sequence order (with gaps where deletes were logged): a
            // binary search, since a follower asks after every commit and a linear filter
            // over 4,096 batches was 15% of the server's CPU in the live benchmark.
            let from = held.partitioningIndex { $0.sequence > sequence }
            return Array(held[from...].prefix(limit))
        }
    }

    var lastSequence: UInt64 { state.withLock { $0.last } }

    /// Bytes held now (tests).
    var heldBytes: Int { state.withLock { $0.bytes } }

    static func bytes(of batch: CommittedBatch) -> Int {
        batch.series.reduce(0) { $0 + seriesBytes + HeadSeries.approximateBytes($1.count, $1.columns.values) }
    }

    /// What a batch's series costs besides its values (`byteCapacity` says where it comes from).
    static let seriesBytes = 640

    /// Returns once a batch above `sequence` is committed (at once if one is), or as soon as
    /// the calling task is cancelled: a follower that is shutting down must not wait for the
    /// next write. Callers re-check what is committed either way.
    func wait(after sequence: UInt64) async {
        let id = state.withLock { s in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { s -> Bool in
                    if s.last > sequence || Task.isCancelled { return true }
                    s.waiters.append((sequence, id, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            waiter?.resume()
        }
    }
}

extension Array {
    func partitioned(by belongsInFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var first: [Element] = []
        var second: [Element] = []
        for element in self {
            if belongsInFirst(element) { first.append(element) } else { second.append(element) }
        }
        return (first, second)
    }
}
