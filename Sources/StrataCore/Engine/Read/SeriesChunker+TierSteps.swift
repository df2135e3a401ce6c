// See docs/tiers.md ("How a scan reads a tier").

extension SeriesChunker {
    /// Where the steps from `s` on that read one tier's buckets as a single span end: each a
    /// `.tiered` step of the same tier file taking every bucket from its first to its last,
    /// and starting where the one before ends. `s` + 1 when the step at `s` is not such a
    /// step or the next one does not follow it.
    func tieredSpanEnd(_ steps: [Step], from s: Int) -> Int {
        guard case .tiered(_, let first) = steps[s], first.listed == nil else { return s + 1 }
        let file = ObjectIdentifier(first.tier.file.reader)
        let res = first.tier.file.resolution
        var last = first.last
        var end = s + 1
        while end < steps.count, case .tiered(_, let use) = steps[end], use.listed == nil,
              ObjectIdentifier(use.tier.file.reader) == file, use.first == last + res {
            last = use.last
            end += 1
        }
        return end
    }

    /// Steps `span` (from `tieredSpanEnd`, two or more) answered from one read of their tier
    /// buckets, when those cover every block's part of the range: a 15-minute mean over a
    /// month of hour blocks otherwise cost a fold, a coverage check and a handful of arrays
    /// per block. Runs break where blocks do, so the answer is the one the steps give one by
    /// one, to the last bit. False, with nothing appended, when some block needs its raw
    /// rows: the caller then runs the steps one by one.
    func executeTieredSpan(_ span: ArraySlice<Step>, _ sources: [Source], reads: inout TierReads,
                           into out: inout ChunkSink, statistics: inout ScanStatistics) throws -> Bool {
        guard case .tiered(_, let first) = span.first, case .tiered(_, let last) = span.last else { return false }
        var breaks: [Int64] = []
        breaks.reserveCapacity(span.count - 1)
        for case .tiered(_, let use) in span.dropFirst() { breaks.append(use.first) }
        let runs = try tierRuns(TierUse(tier: first.tier, first: first.first, last: last.last), reads: &reads,
                                merging: true, breaks: breaks)
        defer { reads.handBack(runs) }
        var r = 0
        for case .tiered(let c, _) in span {
            let block = sources[c.source].series.rowBlocks[c.block]
            guard runs.cover(from: max(block.minTime, range.lowerBound), through: min(block.maxTime, range.upperBound),
                             startingAt: &r) else { return false }
        }
        record(runs, of: first.tier, in: &statistics)
        out.summaries(runs, 0..<runs.count)
        return true
    }

    /// The accepted buckets as summaries, the block's other rows (range edges, masked buckets,
    /// buckets whose integer sum overflowed) decoded, in time order.
    func executeTiered(_ c: Candidate, _ use: TierUse, _ sources: [Source], reads: inout TierReads,
                       into out: inout ChunkSink, statistics: inout ScanStatistics) throws {
        let runs = try tierRuns(use, reads: &reads, merging: true)
        defer { reads.handBack(runs) }
        record(runs, of: use.tier, in: &statistics)
        let block = sources[c.source].series.rowBlocks[c.block]
        // Raw rows are needed unless the buckets cover the block's part of the range.
        var r = 0
        guard !runs.cover(from: max(block.minTime, range.lowerBound), through: min(block.maxTime, range.upperBound),
                          startingAt: &r) else { return out.summaries(runs, 0..<runs.count) }
        let rows = try decode(c, sources, statistics: &statistics)
        r = 0
        for i in 0..<runs.count {
            let before = rows.timestamps[r...].partitioningIndex { $0 >= runs.minTimes[i] }
            if r < before { appendRows(slice(rows, rows: r..<before), to: &out, statistics: &statistics) }
            r = rows.timestamps[before...].partitioningIndex { $0 > runs.maxTimes[i] }
            out.summaries(runs, i..<(i + 1))
        }
        if r < rows.count { appendRows(r == 0 ? rows : slice(rows, rows: r..<rows.count), to: &out, statistics: &statistics) }
    }

    /// An expired partition's buckets: those not under a tombstone, whose values' times lie
    /// in the query range.
    func executeTierOnly(_ use: TierUse, reads: inout TierReads, into out: inout ChunkSink,
                         statistics: inout ScanStatistics) throws {
        let masks = use.tier.masks
        var counted = 0
        var served = ServedRun(source: use.tier.file.name)
        defer {
            if counted > 0 { statistics.tierBuckets[use.tier.file.name, default: 0] += counted }
            served.flush(to: &statistics)
        }
        // Each bucket's values must lie in the range: their times are read.
        let runs = try tierRuns(use, reads: &reads, merging: false, parts: .valueTimes)
        defer { reads.handBack(runs) }
        for i in 0..<runs.count {
            let span = runs.minTimes[i]...runs.maxTimes[i]
            guard let times = runs.valueTimes(of: i), queryRange.contains(times.lowerBound),
                  queryRange.contains(times.upperBound), !masks.contains(where: { $0.overlaps(span) }) else { continue }
            counted += 1
            served.add(span, to: &statistics)
            out.summaries(runs, i..<(i + 1))
        }
    }

    /// Counts the runs' buckets and the ranges they serve, once per call rather than per run:
    /// a dictionary update by name each was ~5% of a 15-minute mean over a month.
    private func record(_ runs: TierRuns, of tier: TierSource, in statistics: inout ScanStatistics) {
        guard runs.buckets > 0 else { return }
        statistics.tierBuckets[tier.file.name, default: 0] += runs.buckets
        var served = ServedRun(source: tier.file.name)
        for i in 0..<runs.count { served.add(runs.minTimes[i]...runs.maxTimes[i], to: &statistics) }
        served.flush(to: &statistics)
    }
}
