import Synchronization

/// What running queries hold, counted against `query-max-memory-bytes` (all queries) by the
/// server's `QueryManager`, and against `query-memory-bytes` by each `QueryTask`.
///
/// Counted, not measured: a query reserves an estimate before it holds something big and
/// releases it after. Estimates (`QueryMemory.bytes…`) follow the in-memory layouts:
/// - decoded rows: 8 bytes a timestamp plus 9 a field value (8 and a presence flag);
/// - a GROUP BY time bucket: ~64 bytes of reducer state per column plus 48 of row;
/// - a collected result row: `MemoryLayout<QueryValue>.stride` a cell plus 32 of array.
/// Strings count 16 bytes each: their bytes are shared with storage until encoding.
public final class QueryMemory: Sendable {
    public let limit: Int
    private let held = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Bytes held by all queries now (`/metrics`).
    public var inUse: Int { held.load(ordering: .relaxed) }

    /// Adds `bytes`; false (and nothing added) when that would pass the limit.
    func reserve(_ bytes: Int) -> Bool {
        guard limit > 0 else {
            held.wrappingAdd(bytes, ordering: .relaxed)
            return true
        }
        var current = held.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return false }
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        held.wrappingSubtract(bytes, ordering: .relaxed)
    }

    static func bytes(decodedRows rows: Int, fields: Int) -> Int { product(rows, 8 + 9 * fields) }
    static func bytes(buckets: Int, columns: Int) -> Int { product(buckets, 48 + 64 * columns) }
    static func bytes(resultRows rows: Int, columns: Int) -> Int {
        product(rows, 32 + MemoryLayout<QueryValue>.stride * columns)
    }

    /// Saturating: an unbounded GROUP BY can ask for Int.max buckets.
    private static func product(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max / 2 : p
    }
}
