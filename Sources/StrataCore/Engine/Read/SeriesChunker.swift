/// Cuts one series' data in a time range into time-ordered, non-overlapping chunks: a
/// segment row block that nothing else overlaps becomes a summary (its stats), everything
/// else is decoded and merged by `SeriesRows.merged`, exactly as a scan merges it.
///
/// Overlap is found per row block: candidate blocks (of every segment holding the series)
/// are sorted by start time and swept into groups of transitively overlapping blocks; head
/// rows (already merged, sorted) fall into the group whose interval holds them or between
/// groups. A group of one block with no head row inside it, no tombstone over it, lying
/// wholly in the range, is a summary if its stats suffice and the caller agrees. Such a
/// group of a compacted segment that the caller refuses may instead come as the buckets of a
/// rollup tier of its partition, and partitions whose raw data expired come from their tiers
/// only (`SeriesChunker+Tiers.swift`, docs/tiers.md).
struct SeriesChunker: Sendable {
    let database: String
    let key: SeriesKey
    let fields: Set<String>?
    /// What raw sources (segments, heads) are read in: the query's range above the raw
    /// retention cut. Meaningless when `readsRaw` is false.
    let range: ClosedRange<Int64>
    /// False when the raw retention cut lies past the query's range: no raw row may be read.
    let readsRaw: Bool
    /// The query's range, uncut: what tier-only partitions are read in.
    let queryRange: ClosedRange<Int64>
    let tiers: TierContext
    /// Set when the caller folds summaries: consecutive ones in one of its buckets merge.
    let summaries: SummaryRequest?

    init(database: String, key: SeriesKey, fields: Set<String>?, range: ClosedRange<Int64>, tiers: TierContext = TierContext(),
         summaries: SummaryRequest? = nil) {
        self.database = database
        self.key = key
        self.fields = fields
        self.summaries = summaries
        self.queryRange = range
        self.tiers = tiers
        let lower = max(range.lowerBound, tiers.rawCut ?? Int64.min)
        readsRaw = lower <= range.upperBound
        self.range = readsRaw ? lower...range.upperBound : range
    }

    /// One segment's version of the series, with the tombstone ranges that mask it.
    struct Source: Sendable {
        var reader: SegmentReader
        var series: SegmentSeries
        var masks: [ClosedRange<Int64>]
        /// Set for a compacted segment, with its partition's usable tiers, coarsest first.
        var partition: PartitionKey?
        var flushedThrough: UInt64
        /// Found when a block first needs them (`resolveTiers`): most blocks of an aggregate
        /// are answered by their headers, and looking the series up in every tier file of
        /// every partition was ~7% of the month's hourly mean.
        var tiers: [TierSource] = []
        var tiersResolved: Bool
        /// Indices into `series.fields` of the fields the scan reads, found once per series
        /// rather than hashed per block.
        var requested: [Int]
        /// Per tier of `tiers`: it rolls up every requested field, so it serves any block
        /// without a per-block check (`tierUse`).
        var tierHoldsRequested: [Bool] = []
    }

    /// Finds `source`'s tiers and which of them roll up every requested field, once.
    func resolveTiers(_ source: inout Source, masks: [TombstoneSet.Mask]) {
        guard !source.tiersResolved else { return }
        source.tiersResolved = true
        guard let partition = source.partition else { return }
        source.tiers = tierSources(partition: partition, flushedThrough: source.flushedThrough, masks: masks)
        let series = source.series
        source.tierHoldsRequested = source.tiers.map { tier in
            source.requested.allSatisfy { TierColumns.isRolledUp(series.fields[$0].type) && tier.fields.contains(series.fields[$0].name) }
        }
    }

    struct Candidate: Sendable {
        var source: Int
        var block: Int
        var minTime: Int64
        var maxTime: Int64
    }

    /// What `prepare` found: the segments holding the series, their row blocks in range,
    /// and the head rows merged. No caller code runs here, so it may run in parallel.
    struct Prepared: Sendable {
        var sources: [Source]
        var candidates: [Candidate]
        var head: SeriesRows
        /// Partitions whose raw data expired, with their tiers (coarsest first), oldest first.
        var tierOnly: [TierOnlyPartition]
        /// The tombstones, for tiers resolved later.
        var masks: [TombstoneSet.Mask] = []
    }

    /// One chunk (or, for tiers, a run of chunks) to produce.
    enum Step: Sendable {
        /// A lone block its header answers (`acceptsHeader`).
        case header(Candidate)
        /// Decode these blocks, merge them with these head rows.
        case merge(ArraySlice<Candidate>, head: Range<Int>)
        case head(Range<Int>)
        /// A lone compacted block: these tier buckets as summaries, the rest decoded.
        /// Indirect, as `tierOnly`: a plan makes and reads a step per block, and these
        /// payloads made every step several times larger to copy.
        indirect case tiered(Candidate, TierUse)
        /// Buckets of a partition whose raw data expired.
        indirect case tierOnly(TierUse)
    }

    /// The chunks to produce, decided without decoding (this asks `canSummarize`).
    struct Plan: Sendable {
        var prepared: Prepared
        var steps: [Step]
    }

    /// `segments` oldest first; `headParts` (frozen heads oldest first, then the head) are
    /// newer than every segment.
    func prepare(segments: [LiveSegment], headParts: [SeriesRows], masks: [TombstoneSet.Mask],
                 statistics: inout ScanStatistics) -> Prepared {
        let tierOnly = tierOnlyPartitions(masks: masks)
        guard readsRaw else { return Prepared(sources: [], candidates: [], head: SeriesRows(key: key), tierOnly: tierOnly) }
        let sources = self.sources(segments, masks: masks, statistics: &statistics)
        let candidates = self.candidates(sources)
        statistics.blocksConsidered += candidates.count
        let head = headParts.isEmpty ? SeriesRows(key: key) : SeriesRows.merged(headParts, key: key, range: range, fields: fields)
        statistics.headRows += head.count
        return Prepared(sources: sources, candidates: candidates, head: head, tierOnly: tierOnly, masks: masks)
    }

    func plan(_ prepared: Prepared, canSummarize: (Int64, Int64) -> Bool, statistics: inout ScanStatistics) -> Plan {
        var prepared = prepared
        let candidates = prepared.candidates
        let headTimes = prepared.head.timestamps
        var steps = planTierOnly(prepared.tierOnly, canSummarize: canSummarize)
        steps.reserveCapacity(steps.count + candidates.count + 1)
        var h = 0
        var i = 0
        var previousEnd: Int64? = nil
        while i < candidates.count {
            let lo = candidates[i].minTime
            var hi = candidates[i].maxTime
            var j = i + 1
            while j < candidates.count && candidates[j].minTime <= hi {
                hi = max(hi, candidates[j].maxTime)
                j += 1
            }
            let headStart = headTimes[h...].partitioningIndex { $0 >= lo }
            let headEnd = headTimes[headStart...].partitioningIndex { $0 > hi }
            if h < headStart { steps.append(.head(h..<headStart)) }
            let lone = j == i + 1 && headStart == headEnd
            let header = lone && acceptsHeader(candidates[i], prepared.sources, canSummarize: canSummarize, statistics: &statistics)
            if lone && !header { resolveTiers(&prepared.sources[candidates[i].source], masks: prepared.masks) }
            if header {
                steps.append(.header(candidates[i]))
                statistics.blocksSummarized += 1
                statistics.rowsSummarized += prepared.sources[candidates[i].source].series.rowBlocks[candidates[i].block].rows
            } else if lone, let use = tierUse(for: candidates[i], prepared.sources, canSummarize: canSummarize,
                                               after: max(previousEnd ?? Int64.min, headStart > 0 ? headTimes[headStart - 1] : Int64.min),
                                               before: min(j < candidates.count ? candidates[j].minTime : Int64.max,
                                                           headEnd < headTimes.count ? headTimes[headEnd] : Int64.max)) {
                steps.append(.tiered(candidates[i], use))
            } else {
                steps.append(.merge(candidates[i..<j], head: headStart..<headEnd))
            }
            previousEnd = hi
            h = headEnd
            i = j
        }
        if h < headTimes.count { steps.append(.head(h..<headTimes.count)) }
        return Plan(prepared: prepared, steps: steps)
    }

    /// Decodes and merges what the plan says; summaries pass through. May run in parallel.
    func execute(_ plan: Plan, statistics: inout ScanStatistics) throws -> [ScanChunk] {
        let head = plan.prepared.head
        var out = ChunkSink(request: summaries, capacity: plan.steps.count)
        var tierReads = TierReads(plan.steps)
        var blocksServed = ServedRun(source: "blocks")
        defer { blocksServed.flush(to: &statistics) }
        var afterHeader = false
        // Steps before this one were tried as a span of tier reads (`executeTieredSpan`).
        var tried = 0
        var s = 0
        while s < plan.steps.count {
            if s >= tried {
                tried = tieredSpanEnd(plan.steps, from: s)
                if tried > s + 1, try executeTieredSpan(plan.steps[s..<tried], plan.prepared.sources, reads: &tierReads,
                                                        into: &out, statistics: &statistics) {
                    afterHeader = false
                    s = tried
                    continue
                }
            }
            let step = plan.steps[s]
            defer {
                if case .header = step { afterHeader = true } else { afterHeader = false }
                s += 1
            }
            switch step {
            case .header(let c):
                appendHeader(c, plan.prepared.sources, to: &out)
                blocksServed.add(c.minTime...c.maxTime, to: &statistics, closingGap: afterHeader)
            case .head(let rows):
                appendRows(rows == 0..<head.count ? head : slice(head, rows: rows), to: &out, statistics: &statistics)
            case .tiered(let c, let use):
                try executeTiered(c, use, plan.prepared.sources, reads: &tierReads, into: &out, statistics: &statistics)
            case .tierOnly(let use):
                try executeTierOnly(use, reads: &tierReads, into: &out, statistics: &statistics)
            case .merge(let group, let headRows):
                // Oldest first: segment order, then the head, so later writes win.
                let members = group.count == 1 ? Array(group) : group.sorted { ($0.source, $0.block) < ($1.source, $1.block) }
                var parts: [SeriesRows] = []
                parts.reserveCapacity(members.count + 1)
                for c in members {
                    let rows = try decode(c, plan.prepared.sources, statistics: &statistics)
                    if rows.count > 0 { parts.append(rows) }
                }
                if !headRows.isEmpty { parts.append(slice(head, rows: headRows)) }
                if !parts.isEmpty {
                    appendRows(SeriesRows.merged(parts, key: key, range: range, fields: fields), to: &out, statistics: &statistics)
                }
            }
        }
        let chunks = out.finish()
        statistics.chunks += chunks.count
        return chunks
    }

    private func sources(_ segments: [LiveSegment], masks: [TombstoneSet.Mask], statistics: inout ScanStatistics) -> [Source] {
        var out: [Source] = []
        for segment in segments {
            // A compacted segment holds exactly its partition's rows: skip it outside the range.
            if let p = segment.partition, p.start > range.upperBound || p.end - 1 < range.lowerBound { continue }
            guard let series = segment.reader.series(database: database, key: key),
                  let first = series.rowBlocks.first, let last = series.rowBlocks.last else { continue }
            let ranges = masks.ranges(maskingSegmentFlushedThrough: segment.flushedThrough)
            // Deleted whole (or over all it holds): nothing to read.
            if ranges.contains(where: { $0.lowerBound <= first.minTime && $0.upperBound >= last.maxTime }) { continue }
            statistics.segmentSeriesRead += 1
            let requested = series.fields.indices.filter { fields?.contains(series.fields[$0].name) ?? true }
            out.append(Source(reader: segment.reader, series: series, masks: ranges, partition: segment.partition,
                              flushedThrough: segment.flushedThrough, tiersResolved: segment.partition == nil,
                              requested: requested))
        }
        return out
    }

    /// Row blocks overlapping the range, sorted by start time (then age).
    private func candidates(_ sources: [Source]) -> [Candidate] {
        var out: [Candidate] = []
        for (s, source) in sources.enumerated() {
            // A series' row blocks are consecutive in time (docs/format/segment.md).
            let blocks = source.series.rowBlocks
            var b = blocks.partitioningIndex { $0.maxTime >= range.lowerBound }
            while b < blocks.count && blocks[b].minTime <= range.upperBound {
                out.append(Candidate(source: s, block: b, minTime: blocks[b].minTime, maxTime: blocks[b].maxTime))
                b += 1
            }
        }
        if sources.count > 1 {
            out.sort { ($0.minTime, $0.source, $0.block) < ($1.minTime, $1.source, $1.block) }
        }
        return out
    }

    /// Whether the block's header may stand for its rows: wholly in range, no tombstone
    /// over it, integer sums present, and the caller agrees.
    private func acceptsHeader(_ c: Candidate, _ sources: [Source], canSummarize: (Int64, Int64) -> Bool,
                               statistics: inout ScanStatistics) -> Bool {
        // Read in place (`sources[c.source]...` chains), not bound to a local: a bound
        // `Source` was copied, retaining and releasing its every field, per block.
        let (minTime, maxTime) = (c.minTime, c.maxTime)
        guard range.contains(minTime), range.contains(maxTime) else { return false }
        guard !sources[c.source].masks.contains(where: { $0.overlaps(minTime...maxTime) }) else { return false }
        // The type first, and block info read in place (`lacksSum`), not bound to a local:
        // each binding copied its stats, per block.
        for i in sources[c.source].requested {
            let type = sources[c.source].series.fields[i].type
            guard type == .integer || type == .unsigned else { continue }
            if sources[c.source].series.fields[i].lacksSum(block: c.block) { return false }
        }
        guard canSummarize(minTime, maxTime) else {
            statistics.blocksRefusedByCaller += 1
            return false
        }
        return true
    }

    /// The header's stats of the requested fields with values in the block, as a summary.
    private func appendHeader(_ c: Candidate, _ sources: [Source], to sink: inout ChunkSink) {
        sink.summary(minTime: c.minTime, maxTime: c.maxTime, rows: sources[c.source].series.rowBlocks[c.block].rows) { visit in
            for i in sources[c.source].requested {
                guard let stats = sources[c.source].series.fields[i].incomingStats(block: c.block) else { continue }
                visit(sources[c.source].series.fields[i].name, stats)
            }
        }
    }

    /// The block's rows in range, minus the rows its segment's tombstones cover.
    func decode(_ c: Candidate, _ sources: [Source], statistics: inout ScanStatistics) throws -> SeriesRows {
        let source = sources[c.source]
        let block = source.series.rowBlocks[c.block]
        var rows = try source.reader.rows(of: source.series, block: c.block, range: range, fields: fields)
        statistics.blocksDecoded += 1
        statistics.rowsDecoded += block.rows
        statistics.bytesDecoded += block.timestamps.length
        for i in source.requested {
            let f = source.series.fields[i]
            statistics.bytesDecoded += f.blocks[c.block]?.data.length ?? 0
        }
        let masks = source.masks.filter { $0.overlaps(block.minTime...block.maxTime) }
        if !masks.isEmpty {
            let before = rows.count
            rows = rows.removingRows(timesIn: masks)
            statistics.rowsMasked += before - rows.count
        }
        return rows
    }

    func slice(_ head: SeriesRows, rows: Range<Int>) -> SeriesRows {
        head.sliced(range: head.timestamps[rows.lowerBound]...head.timestamps[rows.upperBound - 1], fields: nil)
    }

    func appendRows(_ rows: SeriesRows, to out: inout ChunkSink, statistics: inout ScanStatistics) {
        guard let first = rows.timestamps.first, let last = rows.timestamps.last else { return }
        out.rows(rows)
        statistics.served["raw", default: ServedRanges()].insert(first...last)
    }
}
