/// A segment the manifest names, with the WAL sequence it covers through: tombstones with a
/// higher sequence mask its rows (docs/format/manifest.md).
struct LiveSegment: Sendable {
    let reader: SegmentReader
    let flushedThrough: UInt64
    /// Set for a compacted (level 1) segment: it holds exactly the rows of this database in
    /// this partition (as of `flushedThrough`). Nil for a flushed (level 0) segment, which
    /// may hold any databases and times.
    var partition: PartitionKey? = nil
}
