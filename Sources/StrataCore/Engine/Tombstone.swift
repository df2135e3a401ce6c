// See docs/format/wal.md ("Tombstone payload") and docs/format/manifest.md ("tombstones").

/// One durable delete: the series of one database it resolved to when it was issued, the
/// time range it removes (nil: all time, which also drops the series from the index), and
/// its WAL sequence. It masks segment data of those series written before it: rows in
/// segments whose `flushedThrough` is below `sequence`. Data written after it (a higher
/// sequence: the head, or segments flushed from it) is never masked.
struct Tombstone: Sendable, Equatable {
    var sequence: UInt64
    var database: String
    var keys: [SeriesKey]
    var range: ClosedRange<Int64>?
    /// DROP DATABASE or DROP RETENTION POLICY: the store itself goes too (its name, its
    /// retention and its policy entry). Only the WAL record carries this; once applied, the
    /// tombstone masks like any delete over all time.
    var dropsStore = false

    /// The masked interval: all time when the delete had no bound.
    var interval: ClosedRange<Int64> { range ?? Int64.min...Int64.max }
}
