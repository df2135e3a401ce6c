// See docs/format/wal.md: write batches and tombstones name a series the same way.

extension BinaryWriter {
    /// `measurement string, tag count varint, (key string, value string) × count`.
    mutating func seriesKey(_ key: SeriesKey) {
        string(key.measurement)
        varint(UInt64(key.tags.count))
        for tag in key.tags {
            string(tag.key)
            string(tag.value)
        }
    }
}

extension BinaryReader {
    mutating func seriesKey() throws(BinaryReaderError) -> SeriesKey {
        let measurement = try string()
        let tagCount = try count("tag count", minItemBytes: 2)
        var tags: [Tag] = []
        tags.reserveCapacity(tagCount)
        for _ in 0..<tagCount { tags.append(Tag(try string(), try string())) }
        return SeriesKey(measurement: measurement, tags: tags)
    }
}
