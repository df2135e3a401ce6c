extension StorageEngine {
    /// Where the rows of the matching series lie in time, as spans of (min time, max time,
    /// rows): one per segment row block and one per head part overlapping `range`. Only
    /// indexes are read, nothing is decoded. Counts ignore deletes, overwrites and
    /// retention cuts, so they are upper bounds; a streaming reader uses them to cut a long
    /// range into windows of bounded size (`RowSpan.windows`).
    ///
    /// With `tierFields` (the fields a tier-reading aggregate asks for, all rolled up), a
    /// compacted block thick enough to be read from its partition's finest tier
    /// (`EngineOptions.tierMinRowsPerBucket`) carries that tier's resolution and bucket count
    /// (`RowSpan.tier`), which is what such a read decodes instead of its rows.
    public func rowSpans(database: String, measurement: String, where predicate: TagPredicate = .all,
                         range: ClosedRange<Int64>, tierFields: Set<String>? = nil) -> [RowSpan] {
        var spans: [RowSpan] = []
        forEachRowSpan(database: database, measurement: measurement, where: predicate, range: range, tierFields: tierFields) {
            spans.append($0)
        }
        return spans
    }

    /// `rowSpans`, handed to `body` one by one (in no particular order) instead of
    /// collected: a reader that only sums them (does it all fit one window?) builds no
    /// array of a span per block (72,000 for the month's hourly mean).
    public func forEachRowSpan(database: String, measurement: String, where predicate: TagPredicate = .all,
                               range: ClosedRange<Int64>, tierFields: Set<String>? = nil, _ body: (RowSpan) -> Void) {
        var spans: [RowSpan] = []
        let (keys, segments, tiers) = state.withLock { s -> ([SeriesKey], [LiveSegment], [LiveTier]) in
            let ids = s.index.select(database: database, measurement: measurement, where: predicate)
            for id in ids {
                var parts: [HeadSeries] = []
                for frozen in s.frozen { if let rows = frozen.head.series[id] { parts.append(rows) } }
                if let rows = s.head.series[id] { parts.append(rows) }
                for part in parts {
                    // Head rows keep arrival order: a late write sits after newer rows.
                    guard let bounds = part.timeBounds else { continue }
                    spans.append(RowSpan(minTime: bounds.lowerBound, maxTime: bounds.upperBound, rows: part.count, decoded: false))
                }
            }
            let types = s.fieldTypes[database]?[measurement] ?? [:]
            let rolledUp = tierFields.map { !$0.isEmpty && $0.allSatisfy { types[$0].map(TierColumns.isRolledUp) ?? false } } ?? false
            return (ids.map { s.index.entries[Int($0)].key }, s.segments, rolledUp ? s.tiers : [])
        }
        // The finest tier of each compacted partition, as a scan pairs them (same flush).
        var finest: [PartitionKey: (resolution: Int64, flushedThrough: UInt64)] = [:]
        for t in tiers where t.partition.database == database && finest[t.partition].map({ t.resolution < $0.resolution }) ?? true {
            finest[t.partition] = (t.resolution, t.flushedThrough)
        }
        for segment in segments {
            let tier = segment.partition.flatMap { p in finest[p].flatMap { $0.flushedThrough == segment.flushedThrough ? $0.resolution : nil } }
            for key in keys {
                guard let series = segment.reader.series(database: database, key: key) else { continue }
                for block in series.rowBlocks {
                    var span = RowSpan(minTime: block.minTime, maxTime: block.maxTime, rows: block.rows,
                                       compacted: segment.partition != nil)
                    if let tier {
                        let buckets = Int((TierBuckets.start(block.maxTime, resolution: tier)
                            - TierBuckets.start(block.minTime, resolution: tier)) / tier) + 1
                        if block.rows >= buckets * options.tierMinRowsPerBucket { span.tier = RowSpan.Tier(resolution: tier, buckets: buckets) }
                    }
                    if let clamped = span.clamped(to: range) { body(clamped) }
                }
            }
        }
        // The head's spans, gathered under the engine lock, go after it is released.
        for span in spans { if let clamped = span.clamped(to: range) { body(clamped) } }
    }
}

/// Rows somewhere in [minTime, maxTime], both inclusive.
public struct RowSpan: Sendable, Equatable {
    public var minTime: Int64
    public var maxTime: Int64
    public var rows: Int
    /// A segment block, decoded whole by any read that touches it; false for head rows,
    /// which a read slices for free.
    public var decoded: Bool
    /// A block of a compacted segment: no other segment's block overlaps it (its segment
    /// holds its partition's rows alone), so a read may answer it from its header.
    public var compacted: Bool
    /// For a compacted block an aggregate may read from a rollup tier (`rowSpans`'
    /// `tierFields`): the finest tier's resolution and the buckets of it the block spans.
    public var tier: Tier?

    public struct Tier: Sendable, Equatable {
        public var resolution: Int64
        public var buckets: Int
    }

    public init(minTime: Int64, maxTime: Int64, rows: Int, decoded: Bool = true, compacted: Bool = false) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.rows = rows
        self.decoded = decoded
        self.compacted = compacted
    }

    /// The part inside `range`, its rows scaled to the overlap (rows assumed even in time).
    func clamped(to range: ClosedRange<Int64>) -> RowSpan? {
        guard maxTime >= range.lowerBound, minTime <= range.upperBound else { return nil }
        let lo = Swift.max(minTime, range.lowerBound), hi = Swift.min(maxTime, range.upperBound)
        guard lo != minTime || hi != maxTime else { return self }
        let share = RowSpan.fraction(lo...hi, of: minTime...maxTime)
        var out = RowSpan(minTime: lo, maxTime: hi, rows: Swift.max(1, Int(Double(rows) * share)), decoded: decoded,
                          compacted: compacted)
        out.tier = tier.map { Tier(resolution: $0.resolution, buckets: Swift.max(1, Int((Double($0.buckets) * share).rounded(.up)))) }
        return out
    }

    static func fraction(_ part: ClosedRange<Int64>, of whole: ClosedRange<Int64>) -> Double {
        let total = Double(whole.upperBound) - Double(whole.lowerBound) + 1
        return (Double(part.upperBound) - Double(part.lowerBound) + 1) / total
    }

    /// Consecutive windows covering `range`, in time order, each expected to hold about
    /// `rows` of these spans' rows (a span is taken as spread evenly over its time; one
    /// timestamp's rows are never split). A window ends where no segment block crosses
    /// into the next, so no block is decoded twice, unless that would make it hold more
    /// than twice `rows`: then it ends inside blocks, which the next window decodes again
    /// (decoding costs ~8 ns a row, far less than the ~2 µs a row of an answer costs to
    /// build and encode). Empty spans give one window, `range` itself.
    public static func windows(_ spans: [RowSpan], rows target: Int, range: ClosedRange<Int64>) -> [ClosedRange<Int64>] {
        let target = Swift.max(1, target)
        // All of it fits one window: no pieces to cut and sort (an hourly mean over the
        // month answered from 72,000 block headers spent 5% of its time there).
        guard spans.reduce(0, { $0 + $1.rows }) > target else { return [range] }
        var out: [ClosedRange<Int64>] = []
        var start = range.lowerBound
        var held = 0
        var lastStart = range.lowerBound
        var decodedThrough = Int64.min
        for piece in pieces(spans, rows: Swift.max(1, target / 64)) {
            // Rows are placed at their piece's start: a cut before this piece leaves every
            // row held so far behind it only if they all start earlier.
            let clean = piece.minTime > decodedThrough
            if held > 0, piece.minTime > lastStart,
               held + piece.span.rows > target && clean || held + piece.span.rows > 2 * target {
                out.append(start...(piece.minTime - 1))
                start = piece.minTime
                held = 0
            }
            held += piece.span.rows
            lastStart = piece.minTime
            if piece.span.decoded { decodedThrough = Swift.max(decodedThrough, piece.blockEnd) }
        }
        out.append(start...range.upperBound)
        return out
    }

    /// Spans cut in even pieces of time of about `rows` rows, sorted by start; each keeps
    /// the end of the span it came from. Many series' blocks often start at the same time
    /// (they were flushed together, or cut at the same hour): only pieces let a window end
    /// inside them. A sixty-fourth of a window: the 1 Hz benchmark's hour blocks (3,600
    /// rows) come in three pieces, so a window of 100 such series can end inside them.
    private static func pieces(_ spans: [RowSpan], rows: Int) -> [(span: RowSpan, minTime: Int64, blockEnd: Int64)] {
        var out: [(span: RowSpan, minTime: Int64, blockEnd: Int64)] = []
        for span in spans {
            let count = Swift.min(span.rows / rows, 4_096)
            let width = UInt64(bitPattern: span.maxTime &- span.minTime)
            guard count > 1, width >= UInt64(count) else {
                out.append((span, span.minTime, span.maxTime))
                continue
            }
            let step = width / UInt64(count)
            for k in 0..<count {
                let lo = span.minTime &+ Int64(bitPattern: step &* UInt64(k))
                let hi = k == count - 1 ? span.maxTime : lo &+ Int64(bitPattern: step) &- 1
                out.append((RowSpan(minTime: lo, maxTime: hi, rows: span.rows / count, decoded: span.decoded), lo, span.maxTime))
            }
        }
        out.sort { $0.minTime < $1.minTime }
        return out
    }
}
