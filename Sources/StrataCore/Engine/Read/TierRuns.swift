// See docs/tiers.md ("How a scan reads a tier").

/// Runs of a series' tier buckets folded into summaries, as columns: what a plan step that
/// reads a tier hands to its `ChunkSink`. A run's stats stay packed from the tier's columns
/// to the sink's (`PackedStats`), with no `BlockSummary` on the way.
struct TierRuns {
    /// The tier's fields, in the order of each run's stats.
    private(set) var names: [String]
    private(set) var minTimes: [Int64] = []
    private(set) var maxTimes: [Int64] = []
    /// Rows each run stands for.
    private(set) var rows: [Int] = []
    /// `names.count` per run, in run order; count 0 where a field has no value.
    private(set) var stats: [PackedStats] = []

    init(names: [String]) {
        self.names = names
    }

    var count: Int { minTimes.count }

    /// No runs, for `names`; the arrays keep their capacity.
    mutating func reset(names: [String]) {
        self.names = names
        buckets = 0
        minTimes.removeAll(keepingCapacity: true)
        maxTimes.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        stats.removeAll(keepingCapacity: true)
    }

    /// Tier buckets the runs fold.
    private(set) var buckets = 0

    mutating func append(minTime: Int64, maxTime: Int64, rows: Int, buckets: Int, stats fields: [PackedStats]) {
        self.buckets += buckets
        minTimes.append(minTime)
        maxTimes.append(maxTime)
        self.rows.append(rows)
        stats += fields
    }

    /// Run `i`'s fields that hold a value, handed to `visit` as a `ChunkSink` takes them.
    func forEachField(of i: Int, _ visit: (String, SummaryColumns.Incoming) -> Void) {
        let base = i * names.count
        for f in names.indices where stats[base + f].count > 0 { visit(names[f], .packed(stats[base + f])) }
    }

    /// Whether the runs from `r` on cover every time from `lo` through `hi` with no gap
    /// (nothing to cover when `lo` > `hi`). Parts are asked in time order: `r` moves past the
    /// runs that end before `lo`.
    func cover(from lo: Int64, through hi: Int64, startingAt r: inout Int) -> Bool {
        guard lo <= hi else { return true }
        while r < count && maxTimes[r] < lo { r += 1 }
        var at = lo
        var k = r
        while k < count, minTimes[k] <= at {
            if maxTimes[k] >= hi { return true }
            at = maxTimes[k] + 1  // below `hi`: no overflow
            k += 1
        }
        return false
    }

    /// The earliest first and the latest last time over run `i`'s fields.
    func valueTimes(of i: Int) -> ClosedRange<Int64>? {
        let base = i * names.count
        var first = Int64.max, last = Int64.min
        for f in names.indices where stats[base + f].count > 0 {
            first = min(first, stats[base + f].firstTime)
            last = max(last, stats[base + f].lastTime)
        }
        return first <= last ? first...last : nil
    }
}

extension ChunkSink {
    /// Runs `indices` of `runs`, in time order, their stats handed over packed.
    mutating func summaries(_ runs: TierRuns, _ indices: Range<Int>) {
        guard request != nil else {
            for i in indices {
                summary(minTime: runs.minTimes[i], maxTime: runs.maxTimes[i], rows: runs.rows[i]) { runs.forEachField(of: i, $0) }
            }
            return
        }
        appendToOpenRun { $0.append(runs, indices) }
    }
}

extension SummaryColumns {
    /// Appends runs `indices` of `runs` (which start after the last summary ends), each
    /// folded into the last summary where both lie in one bucket of the request. Each
    /// field's column is found once per call, not by name per run.
    mutating func append(_ runs: TierRuns, _ indices: Range<Int>) {
        let width = runs.names.count
        var slots = [Int](repeating: -1, count: width)
        for i in indices {
            let last = count - 1
            if last >= 0, request.bucket(minTimes[last]) == request.bucket(runs.maxTimes[i]) {
                let merged = merge(into: last) { visit in runs.forEachField(of: i, visit) }
                if merged {
                    extendLast(to: runs.maxTimes[i], rows: runs.rows[i])
                    continue
                }
            }
            appendAbsent(minTime: runs.minTimes[i], maxTime: runs.maxTimes[i], rows: runs.rows[i])
            let base = i * width
            for f in 0..<width where runs.stats[base + f].count > 0 {
                if slots[f] < 0 { slots[f] = slot(runs.names[f]) }
                set(column: slots[f], packed: runs.stats[base + f])
            }
        }
    }
}

/// The rows of a tier's columns a step takes: a range, or (where its starts leave buckets
/// out) a list.
enum PickedRows {
    case all(Range<Int>)
    case some([Int])

    var count: Int {
        switch self {
        case .all(let r): r.count
        case .some(let rows): rows.count
        }
    }

    subscript(i: Int) -> Int {
        switch self {
        case .all(let r): r.lowerBound + i
        case .some(let rows): rows[i]
        }
    }
}
