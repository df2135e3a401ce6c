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

/// The tier buckets a plan takes from one tier: ascending starts the caller accepted, at
/// least one. Kept as the first and the last where no bucket between them is left out, as
/// for most blocks: no array per block.
struct TierUse: Sendable {
    var tier: TierSource
    private(set) var first: Int64
    private(set) var last: Int64
    /// Every start taken, where some bucket between `first` and `last` is left out; nil
    /// where none is.
    private(set) var listed: [Int64]?

    init(tier: TierSource, first: Int64) {
        self.tier = tier
        (self.first, last) = (first, first)
    }

    /// Every bucket from `first` through `last`.
    init(tier: TierSource, first: Int64, last: Int64) {
        self.tier = tier
        (self.first, self.last) = (first, last)
    }

    /// Takes bucket `start`, after every one taken so far.
    mutating func take(_ start: Int64) {
        let res = tier.file.resolution
        if listed == nil && start != last + res { listed = Array(stride(from: first, through: last, by: Int(res))) }
        listed?.append(start)
        last = start
    }
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
            var use: TierUse?
            var taken = 0
            var accepted = true
            var b = TierBuckets.start(block.minTime, resolution: res)
            while b <= block.maxTime {
                let end = b + (res - 1)
                if b >= lo, end <= hi, masks.isEmpty || !masks.contains(where: { $0.overlaps(b...end) }) {
                    guard acceptsAll || canSummarize(b, end) else {
                        accepted = false
                        break
                    }
                    if use == nil { use = TierUse(tier: tier, first: b) } else { use!.take(b) }
                    taken += 1
                }
                if end >= block.maxTime { break }
                b = end + 1
            }
            // Thin buckets cost more as summaries than their rows cost to decode.
            if accepted, let use, block.rows >= taken * tiers.minRowsPerBucket { return use }
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
                var b = TierBuckets.start(lo, resolution: res)
                var use = TierUse(tier: tier, first: b)
                var accepted = true
                while true {
                    let end = b + (res - 1)
                    guard canSummarize(b, end) else {
                        accepted = false
                        break
                    }
                    if b != use.first { use.take(b) }
                    if end >= hi { break }
                    b = end + 1
                }
                if accepted {
                    steps.append(.tierOnly(use))
                    break
                }
            }
        }
        return steps
    }

    /// The tier's buckets `use` takes that hold a value and can be summarized, folded into
    /// runs, ascending. With `merging` (and a `SummaryRequest`), each run of adjacent buckets
    /// in one of the caller's buckets folds into one, column-wise; a run that cannot be
    /// folded (an integer sum that overflowed) comes bucket by bucket. `parts`: stats read
    /// beyond the request's.
    /// `breaks`: ascending bucket starts where a new run begins even within one of the
    /// caller's buckets (where one block's buckets end and the next one's start), so a span
    /// of blocks folds as its blocks one by one would, to the last bit.
    func tierRuns(_ use: TierUse, reads: inout TierReads, merging: Bool, parts: SummaryParts = [],
                  breaks: [Int64] = []) throws -> TierRuns {
        let columns = try reads.columns(of: use.tier, fields: fields, parts: (summaries?.parts ?? .all).union(parts))
        var out = reads.runs(names: columns.names)
        let starts = columns.starts
        let lo = starts.partitioningIndex { $0 >= use.first }
        let hi = starts[lo...].partitioningIndex { $0 > use.last }
        let res = use.tier.file.resolution
        // Rows of the accepted starts, ascending: every row between `lo` and `hi` when the
        // starts leave no bucket out (the common case, with no array built).
        let picked = use.listed.map { PickedRows.some(Self.rows(of: $0, in: starts, lo..<hi)) } ?? .all(lo..<hi)
        var stats: [PackedStats] = []
        stats.reserveCapacity(columns.fields.count)
        func add(_ run: Range<Int>) throws -> Bool {
            guard let rows = try columns.fold(run, into: &stats) else { return false }
            let (minTime, maxTime) = (starts[run.lowerBound], starts[run.upperBound - 1] + (res - 1))
            out.append(minTime: minTime, maxTime: maxTime, rows: rows, buckets: run.count, stats: stats)
            return true
        }
        var i = 0
        var nextBreak = 0
        while i < picked.count {
            var j = i + 1
            if merging, let request = summaries {
                // One division per run, not two per bucket: the run's bucket ends at `end`.
                let open = request.bucket(starts[picked[i]])
                var (end, overflow) = open.addingReportingOverflow(request.interval)
                if request.interval == 0 { (end, overflow) = (Int64.max, true) }
                while nextBreak < breaks.count && breaks[nextBreak] <= starts[picked[i]] { nextBreak += 1 }
                if nextBreak < breaks.count && (overflow || breaks[nextBreak] < end) {
                    (end, overflow) = (breaks[nextBreak], false)
                }
                while j < picked.count, picked[j] == picked[j - 1] + 1, starts[picked[j]] == starts[picked[j - 1]] + res,
                      overflow || starts[picked[j]] < end { j += 1 }
            }
            let run = picked[i]..<(picked[j - 1] + 1)
            if try !add(run), run.count > 1 {
                for r in run { _ = try add(r..<(r + 1)) }
            }
            i = j
        }
        return out
    }

    /// The rows in `rows` of `starts` whose start is among `accepted` (both ascending).
    private static func rows(of accepted: [Int64], in starts: [Int64], _ rows: Range<Int>) -> [Int] {
        var picked: [Int] = []
        picked.reserveCapacity(rows.count)
        var k = 0
        for r in rows {
            while k < accepted.count && accepted[k] < starts[r] { k += 1 }
            if k < accepted.count, accepted[k] == starts[r] { picked.append(r) }
        }
        return picked
    }

}

/// A series' tier buckets, read once per tier file for every step of a plan that uses it:
/// read per compacted block, a tier block of ~1,000 buckets was decoded again for each of
/// the ~17 raw blocks it spans.
struct TierReads {
    /// Per tier file (by its reader: a tier's name is the same in every partition), the first
    /// and last bucket start any step asks for. Keyed by identity, not path: hashing the
    /// path per step was ~3% of a 15-minute mean over the month.
    private var spans: [ObjectIdentifier: ClosedRange<Int64>] = [:]
    private var read: [ObjectIdentifier: (parts: SummaryParts, columns: TierBucketColumns)] = [:]
    /// The file the last step read: consecutive steps mostly read the same one.
    private var recent: (file: ObjectIdentifier, parts: SummaryParts, columns: TierBucketColumns)?
    /// Runs handed back by the last step, kept for their capacity.
    private var spare = TierRuns(names: [])

    init(_ steps: [SeriesChunker.Step]) {
        for step in steps {
            switch step {
            case .tiered(_, let use), .tierOnly(let use): widen(use)
            default: continue
            }
        }
    }

    private mutating func widen(_ use: TierUse) {
        let file = ObjectIdentifier(use.tier.file.reader)
        spans[file] = spans[file].map { min($0.lowerBound, use.first)...max($0.upperBound, use.last) } ?? use.first...use.last
    }

    /// The buckets of `tier` over every step's span, ascending by start, with at least the
    /// stats of `parts`.
    mutating func columns(of tier: TierSource, fields: Set<String>?, parts: SummaryParts) throws -> TierBucketColumns {
        let file = ObjectIdentifier(tier.file.reader)
        if let recent, recent.file == file, recent.parts.isSuperset(of: parts) { return recent.columns }
        if let done = read[file], done.parts.isSuperset(of: parts) {
            recent = (file, done.parts, done.columns)
            return done.columns
        }
        let span = spans[file] ?? 0...(-1)
        let columns = span.isEmpty
            ? TierBucketColumns(key: tier.series.key, resolution: tier.file.resolution, path: tier.file.reader.path,
                                starts: [], fields: [])
            : try tier.reader.columns(of: tier.series, starts: span, fields: fields, parts: parts)
        read[file] = (parts, columns)
        recent = (file, parts, columns)
        return columns
    }

    /// Empty runs for `names`, with the capacity of those last handed back.
    mutating func runs(names: [String]) -> TierRuns {
        var runs = TierRuns(names: [])
        swap(&runs, &spare)
        runs.reset(names: names)
        return runs
    }

    /// Runs a step is done with, for the next step to fill.
    mutating func handBack(_ runs: TierRuns) {
        spare = runs
    }
}
