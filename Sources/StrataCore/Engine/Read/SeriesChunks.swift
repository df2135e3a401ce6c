/// One series' data from `StorageEngine.scanChunks`: chunks in time order, not overlapping.
public struct SeriesChunks: Sendable {
    public var key: SeriesKey
    public var chunks: [ScanChunk]

    public init(key: SeriesKey, chunks: [ScanChunk]) {
        self.key = key
        self.chunks = chunks
    }
}
