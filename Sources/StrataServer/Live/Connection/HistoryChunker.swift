import StrataCore

/// Cuts history into data messages of at most `LiveLimits.historyChunkRows` rows and about
/// `LiveLimits.historyChunkBytes` bytes; a series may span several messages.
struct HistoryChunker {
    struct Chunk {
        var tail: [UInt8]
        var points: Int
    }

    let formatter: SeriesFormatter
    var rowLimit = LiveLimits.historyChunkRows
    var byteLimit = LiveLimits.historyChunkBytes
    private var objects: [UInt8] = []
    private var points = 0

    init(formatter: SeriesFormatter) {
        self.formatter = formatter
    }

    /// Adds a series' rows; returns the chunks that filled up.
    mutating func add(_ series: SeriesRows) -> [Chunk] {
        var full: [Chunk] = []
        var selected = formatter.selectedRows(series)[...]
        // Slices of at most 100 rows, so the byte limit is overshot by 100 rows at most.
        while !selected.isEmpty {
            let take = min(selected.count, rowLimit - points, 100)
            if !objects.isEmpty { objects.append(UInt8(ascii: ",")) }
            formatter.appendSeries(series, rows: selected.prefix(take), to: &objects)
            points += take
            selected = selected.dropFirst(take)
            if points >= rowLimit || objects.count >= byteLimit, let chunk = finish() { full.append(chunk) }
        }
        return full
    }

    /// The chunk being filled, if it has rows.
    mutating func finish() -> Chunk? {
        guard points > 0 else { return nil }
        defer {
            objects = []
            points = 0
        }
        return Chunk(tail: LiveMessage.tail(seriesObjects: objects), points: points)
    }
}
