/// A segment the manifest names, with the WAL sequence it covers through: tombstones with a
/// higher sequence mask its rows (docs/format/manifest.md).
struct LiveSegment: Sendable {
    let reader: SegmentReader
    let flushedThrough: UInt64
}
