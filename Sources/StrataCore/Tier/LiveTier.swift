/// A rollup tier file the manifest names: one tier of one partition, built from the
/// partition's raw rows as of `flushedThrough` (docs/format/tier.md).
struct LiveTier: Sendable {
    let reader: SegmentReader
    let partition: PartitionKey
    let name: String
    let resolution: Int64
    let flushedThrough: UInt64
}
