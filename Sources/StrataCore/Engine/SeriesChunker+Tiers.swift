// See docs/tiers.md ("How a scan reads a tier") and docs/format/tier.md.

/// What a scan knows of a database's tiers and retention, copied under the engine lock.
struct TierContext: Sendable {
    /// The database's tier files (none when the caller reads raw data only), coarsest first.
    var files: [LiveTier] = [] {
        didSet { byPartition = Dictionary(grouping: files, by: \.partition) }
    }
    /// `files` per partition, coarsest first: every series looks up its compacted segments'
    /// tiers here, so a scan costs no more per series as partitions accumulate.
    private(set) var byPartition: [PartitionKey: [LiveTier]] = [:]
    /// Raw rows below this are expired and never read (manifest `cuts`).
    var rawCut: Int64?
    /// A tier's buckets below its cut are expired and never read.
    var tierCuts: [String: Int64] = [:]
    /// The measurement's field types: a tier answers only for rolled-up (numeric) fields.
    var fieldTypes: [String: FieldType] = [:]
    /// A compacted block is read from a tier only if it holds at least this many rows per
    /// tier bucket used (`EngineOptions.tierMinRowsPerBucket`); 0: whenever possible.
    var minRowsPerBucket = 0

    init(files: [LiveTier] = [], rawCut: Int64? = nil, tierCuts: [String: Int64] = [:],
         fieldTypes: [String: FieldType] = [:], minRowsPerBucket: Int = 0) {
        self.rawCut = rawCut
        self.tierCuts = tierCuts
        self.fieldTypes = fieldTypes
        self.minRowsPerBucket = minRowsPerBucket
        self.files = files
        byPartition = Dictionary(grouping: files, by: \.partition)
    }
}

/// One tier file's version of the series, with the tombstone ranges that mask it (those
/// with a sequence above its `flushedThrough`, like a segment's). A class: a plan's step
/// per compacted block carries it, and a struct of a series table, a set and arrays cost a
/// dozen retains and releases per copy (~5% of a 15-minute mean over the month).
final class TierSource: Sendable {
    let file: LiveTier
    let series: SegmentSeries
    let fields: Set<String>
    let masks: [ClosedRange<Int64>]

    init(file: LiveTier, series: SegmentSeries, fields: Set<String>, masks: [ClosedRange<Int64>]) {
        self.file = file
        self.series = series
        self.fields = fields
        self.masks = masks
    }

    var reader: TierReader { TierReader(file: file.reader, resolution: file.resolution) }
}

/// A partition whose raw data expired but whose tier files remain.
struct TierOnlyPartition: Sendable {
    var partition: PartitionKey
    var tiers: [TierSource]
}

/// The tier buckets a plan takes from one tier: ascending starts the caller accepted.
struct TierUse: Sendable {
    var tier: TierSource
    var starts: [Int64]
}

extension SeriesChunker {
    /// The tiers of a compacted segment's partition that can stand for its rows: built from
    /// the same rows (same `flushedThrough`), not cut by retention. Coarsest first.
    func tierSources(partition: PartitionKey, flushedThrough: UInt64, masks: [TombstoneSet.Mask]) -> [TierSource] {
        (tiers.byPartition[partition] ?? []).compactMap { file in
            guard file.partition == partition, file.flushedThrough == flushedThrough else { return nil }
            return tierSource(file, masks: masks)
        }
    }

    /// Partitions overlapping the query range that lie wholly below the raw cut and still
    /// have tier files, oldest first.
    func tierOnlyPartitions(masks: [TombstoneSet.Mask]) -> [TierOnlyPartition] {
        guard let rawCut = tiers.rawCut else { return [] }
        var out: [PartitionKey: [TierSource]] = [:]
        for file in tiers.files {
            let p = file.partition
            guard p.database == database, p.end <= rawCut, p.start <= queryRange.upperBound,
                  p.end - 1 >= queryRange.lowerBound, let source = tierSource(file, masks: masks) else { continue }
            out[p, default: []].append(source)
        }
        return out.map { TierOnlyPartition(partition: $0.key, tiers: $0.value) }.sorted { $0.partition < $1.partition }
    }

    private func tierSource(_ file: LiveTier, masks: [TombstoneSet.Mask]) -> TierSource? {
        if let cut = tiers.tierCuts[file.name], file.partition.start < cut { return nil }
        guard let series = file.reader.series(database: database, key: key) else { return nil }
        return TierSource(file: file, series: series, fields: series.rolledUpFields,
                          masks: masks.ranges(maskingSegmentFlushedThrough: file.flushedThrough))
    }

    /// For a lone compacted block the caller refused whole (or that the range cuts): the
    /// buckets of the coarsest tier whose every usable bucket the caller accepts. A bucket is
    /// usable when it lies in the range, in the free interval (`after`, `before`) that no
    /// other data of the series touches, and under no tombstone masking the block; the rest
    /// of the block is decoded. Nil when a requested field with values in the block is not
    /// rolled up, or no tier has such buckets.
    func tierUse(for c: Candidate, _ sources: [Source], canSummarize: (Int64, Int64) -> Bool,
                 after: Int64, before: Int64) -> TierUse? {
        // Read in place, not bound to a local: a bound `Source` is copied, field by field.
        guard let partition = sources[c.source].partition, !sources[c.source].tiers.isEmpty else { return nil }
        let lo = max(range.lowerBound, partition.start, after + 1)
        let hi = min(range.upperBound, partition.end - 1, before - 1)
        guard lo <= hi else { return nil }
        // The fields with values in the block; only where some tier lacks a requested one.
        var needed: Set<String>?
        if !sources[c.source].tierHoldsRequested.allSatisfy({ $0 }) {
            var names: Set<String> = []
            for i in sources[c.source].requested where sources[c.source].series.fields[i].blocks[c.block] != nil {
                guard TierColumns.isRolledUp(sources[c.source].series.fields[i].type) else { return nil }
                names.insert(sources[c.source].series.fields[i].name)
            }
            needed = names
        }
        let block = sources[c.source].series.rowBlocks[c.block]
        let masks = sources[c.source].masks
        for (t, tier) in sources[c.source].tiers.enumerated()
        where sources[c.source].tierHoldsRequested[t] || needed.map({ $0.isSubset(of: tier.fields) }) ?? true {
            let res = tier.file.resolution
            // A request whose buckets take the tier's whole accepts every bucket (it stands
            // for `canSummarize`): no call per bucket, 60 per hour block at 1m.
            let acceptsAll = summaries.map { $0.takesWhole(resolution: res) } ?? false
            var starts: [Int64] = []
            starts.reserveCapacity(Int((block.maxTime - block.minTime) / res) + 2)
            var accepted = true
            var b = TierBuckets.start(block.minTime, resolution: res)
            while b <= block.maxTime {
                let end = b + (res - 1)
                if b >= lo, end <= hi, masks.isEmpty || !masks.contains(where: { $0.overlaps(b...end) }) {
                    guard acceptsAll || canSummarize(b, end) else {
                        accepted = false
                        break
                    }
                    starts.append(b)
                }
                if end >= block.maxTime { break }
                b = end + 1
            }
            // Thin buckets cost more as summaries than their rows cost to decode.
            if accepted && !starts.isEmpty && block.rows >= starts.count * tiers.minRowsPerBucket {
                return TierUse(tier: tier, starts: starts)
            }
        }
        return nil
    }

    /// Per expired partition, the coarsest tier whose every bucket overlapping the range the
    /// caller accepts, if every requested field is rolled up; else nothing (there is no raw
    /// data left to decode).
    func planTierOnly(_ partitions: [TierOnlyPartition], canSummarize: (Int64, Int64) -> Bool) -> [Step] {
        guard !partitions.isEmpty else { return [] }
        let requested = fields.map(Array.init) ?? Array(tiers.fieldTypes.keys)
        guard requested.allSatisfy({ tiers.fieldTypes[$0].map(TierColumns.isRolledUp) ?? true }) else { return [] }
        var steps: [Step] = []
        for p in partitions {
            let lo = max(queryRange.lowerBound, p.partition.start)
            let hi = min(queryRange.upperBound, p.partition.end - 1)
            for tier in p.tiers {
                let res = tier.file.resolution
                var starts: [Int64] = []
                var b = TierBuckets.start(lo, resolution: res)
                var accepted = true
                while true {
                    let end = b + (res - 1)
                    guard canSummarize(b, end) else {
                        accepted = false
                        break
                    }
                    starts.append(b)
                    if end >= hi { break }
                    b = end + 1
                }
                if accepted {
                    steps.append(.tierOnly(TierUse(tier: tier, starts: starts)))
                    break
                }
            }
        }
        return steps
    }

    /// The accepted buckets as summaries, the block's other rows (range edges, masked buckets,
    /// buckets whose integer sum overflowed) decoded, in time order.
    func executeTiered(_ c: Candidate, _ use: TierUse, _ sources: [Source], reads: inout TierReads,
                       into out: inout ChunkSink, statistics: inout ScanStatistics) throws {
        let summaries = try tierSummaries(use, reads: &reads, statistics: &statistics, merging: true)
        let block = sources[c.source].series.rowBlocks[c.block]
        // Raw rows are needed unless the buckets cover the block's part of the range.
        var cursor: Int64? = max(block.minTime, range.lowerBound)
        var uncovered = false
        for s in summaries {
            guard let at = cursor, s.minTime <= at else {
                uncovered = cursor != nil
                break
            }
            cursor = s.maxTime == Int64.max ? nil : max(at, s.maxTime + 1)
        }
        if let at = cursor, at <= min(block.maxTime, range.upperBound) { uncovered = true }
        let rows = uncovered ? try decode(c, sources, statistics: &statistics) : SeriesRows(key: key)
        var r = 0
        for s in summaries {
            let before = rows.timestamps[r...].partitioningIndex { $0 >= s.minTime }
            if r < before { appendRows(slice(rows, rows: r..<before), to: &out, statistics: &statistics) }
            r = rows.timestamps[before...].partitioningIndex { $0 > s.maxTime }
            out.summary(s)
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
        for s in try tierSummaries(use, reads: &reads, statistics: &statistics, counting: false) {
            let first = s.fields.lazy.map(\.value.firstTime).min()
            let last = s.fields.lazy.map(\.value.lastTime).max()
            guard let first, let last, queryRange.contains(first), queryRange.contains(last),
                  !masks.contains(where: { $0.overlaps(s.minTime...s.maxTime) }) else { continue }
            counted += 1
            served.add(s.minTime...s.maxTime, to: &statistics)
            out.summary(s)
        }
    }

    /// The summaries of the tier's buckets among `use.starts` that hold a value and can be
    /// summarized, ascending. With `merging` (and a `SummaryRequest`), each run of adjacent
    /// buckets in one of the caller's buckets comes as one summary, folded column-wise; a run
    /// that cannot be folded (an integer sum that overflowed) comes bucket by bucket.
    private func tierSummaries(_ use: TierUse, reads: inout TierReads, statistics: inout ScanStatistics,
                               counting: Bool = true, merging: Bool = false) throws -> [BlockSummary] {
        guard let first = use.starts.first, let last = use.starts.last else { return [] }
        let columns = try reads.columns(of: use.tier, fields: fields, parts: summaries?.parts ?? .all)
        let starts = columns.starts
        let lo = starts.partitioningIndex { $0 >= first }
        let hi = starts[lo...].partitioningIndex { $0 > last }
        // Rows of the accepted starts, ascending.
        var picked: [Int] = []
        var k = 0
        for r in lo..<hi {
            while k < use.starts.count && use.starts[k] < starts[r] { k += 1 }
            if k < use.starts.count, use.starts[k] == starts[r] { picked.append(r) }
        }
        let res = use.tier.file.resolution
        var out: [BlockSummary] = []
        // Counted once per call, not per summary: a dictionary update by name each was
        // ~5% of a 15-minute mean over a month.
        var counted = 0
        var served = ServedRun(source: use.tier.file.name)
        func count(_ s: BlockSummary, buckets: Int) {
            guard counting else { return }
            counted += buckets
            served.add(s.minTime...s.maxTime, to: &statistics)
        }
        defer {
            if counted > 0 { statistics.tierBuckets[use.tier.file.name, default: 0] += counted }
            served.flush(to: &statistics)
        }
        var i = 0
        while i < picked.count {
            var j = i + 1
            if merging, let request = summaries {
                // One division per run, not two per bucket: the run's bucket ends at `end`.
                let open = request.bucket(starts[picked[i]])
                let (end, overflow) = open.addingReportingOverflow(request.interval)
                while j < picked.count, picked[j] == picked[j - 1] + 1, starts[picked[j]] == starts[picked[j - 1]] + res,
                      request.interval == 0 || overflow || starts[picked[j]] < end { j += 1 }
            }
            let run = picked[i]..<(picked[j - 1] + 1)
            if let s = try columns.summary(run) {
                count(s, buckets: run.count)
                out.append(s)
            } else if run.count > 1 {
                for r in run {
                    guard let s = try columns.summary(r..<(r + 1)) else { continue }
                    count(s, buckets: 1)
                    out.append(s)
                }
            }
            i = j
        }
        return out
    }

}

/// A series' tier buckets, read once per tier file for every step of a plan that uses it:
/// read per compacted block, a tier block of ~1,000 buckets was decoded again for each of
/// the ~17 raw blocks it spans.
struct TierReads {
    /// Per tier file (by path: a tier's name is the same in every partition), the first and
    /// last bucket start any step asks for.
    private var spans: [String: ClosedRange<Int64>] = [:]
    private var read: [String: TierBucketColumns] = [:]

    init(_ steps: [SeriesChunker.Step]) {
        for step in steps {
            let use: TierUse
            switch step {
            case .tiered(_, let u), .tierOnly(let u): use = u
            default: continue
            }
            guard let first = use.starts.first, let last = use.starts.last else { continue }
            let name = use.tier.file.reader.path
            spans[name] = spans[name].map { min($0.lowerBound, first)...max($0.upperBound, last) } ?? first...last
        }
    }

    /// The buckets of `tier` over every step's span, ascending by start.
    mutating func columns(of tier: TierSource, fields: Set<String>?, parts: SummaryParts) throws -> TierBucketColumns {
        let name = tier.file.reader.path
        if let done = read[name] { return done }
        let span = spans[name] ?? 0...(-1)
        let columns = span.isEmpty
            ? TierBucketColumns(key: tier.series.key, resolution: tier.file.resolution, path: tier.file.reader.path,
                                starts: [], fields: [])
            : try tier.reader.columns(of: tier.series, starts: span, fields: fields, parts: parts)
        read[name] = columns
        return columns
    }
}
