/// A run of one series' summaries, consecutive in time, as columns: what a scan given a
/// `SummaryRequest` returns in place of a `ScanChunk.summary` per block or tier run. The
/// month benchmark's hourly mean takes 72,000 summaries; one chunk each cost a step, an
/// enum case, a boxed set of field stats and a copy of each on its way (about half of that
/// query's time), where a run costs an append to a few arrays.
///
/// Summaries arrive in time order; one that lies in the same bucket of the request as the
/// last is folded into it (`BlockStats.merged`, field by field), unless an integer sum would
/// overflow.
public struct SummaryColumns: Sendable {
    public private(set) var minTimes: [Int64] = []
    public private(set) var maxTimes: [Int64] = []
    /// Rows each summary stands for.
    public private(set) var rowCounts: [Int] = []
    /// The fields, in the order of `stats`.
    public private(set) var names: [String] = []
    /// Per field of `names`, per summary: the field's stats there, nil where it has no value.
    public private(set) var stats: [SummaryStatsColumn] = []
    let request: SummaryRequest
    /// Merged stats staged until every field is known to merge; kept for its capacity.
    private var staged: [(Int, Incoming)] = []

    /// Summaries the run is expected to hold (a hint: columns reserve it once).
    private let capacity: Int

    init(request: SummaryRequest, capacity: Int = 0) {
        self.request = request
        self.capacity = capacity
        minTimes.reserveCapacity(capacity)
        maxTimes.reserveCapacity(capacity)
        rowCounts.reserveCapacity(capacity)
    }

    public var count: Int { minTimes.count }

    /// Where `name` is in `names`: a reader looks it up once per run, not per summary.
    public func fieldIndex(_ name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// Summary `i` as a `BlockSummary` (for a reader that must decode it after all).
    public func summary(at i: Int) -> BlockSummary {
        var fields = SummaryFields()
        for (f, name) in names.enumerated() {
            if let s = stats[f][i] { fields[name] = s }
        }
        return BlockSummary(minTime: minTimes[i], maxTime: maxTimes[i], rowCount: rowCounts[i], fields: fields)
    }

    /// Every summary as a `BlockSummary`, in time order.
    public var summaries: [BlockSummary] { (0..<count).map(summary(at:)) }

    /// Appends `summary`, which starts after the last one ends.
    mutating func append(_ summary: BlockSummary) {
        append(minTime: summary.minTime, maxTime: summary.maxTime, rows: summary.rowCount) { visit in
            for (name, s) in summary.fields { visit(name, .full(s)) }
        }
    }

    /// One field's stats on their way into a run: a block header's come packed.
    enum Incoming {
        case packed(PackedStats)
        case full(BlockStats)

        var stats: BlockStats {
            switch self {
            case .packed(let p): p.stats
            case .full(let s): s
            }
        }
    }

    /// Appends a summary whose fields `forEachField` hands over one by one (name, stats),
    /// so a block header's stats go straight into the columns. Folds it into the last
    /// summary when both lie in one bucket of the request and every field merges.
    mutating func append(minTime: Int64, maxTime: Int64, rows: Int,
                         _ forEachField: ((String, Incoming) -> Void) -> Void) {
        let last = count - 1
        if last >= 0, request.bucket(minTimes[last]) == request.bucket(maxTime), merge(into: last, forEachField) {
            return extendLast(to: maxTime, rows: rows)
        }
        appendAbsent(minTime: minTime, maxTime: maxTime, rows: rows)
        forEachField { name, incoming in
            switch incoming {
            case .packed(let p): set(column: slot(name), packed: p)
            case .full(let s): stats[slot(name)].set(count - 1, s)
            }
        }
    }

    /// The last summary, with another folded into it, ends at `maxTime`.
    mutating func extendLast(to maxTime: Int64, rows: Int) {
        maxTimes[count - 1] = maxTime
        rowCounts[count - 1] += rows
    }

    /// A new summary in which no field has a value yet.
    mutating func appendAbsent(minTime: Int64, maxTime: Int64, rows: Int) {
        minTimes.append(minTime)
        maxTimes.append(maxTime)
        rowCounts.append(rows)
        for f in stats.indices { stats[f].appendAbsent() }
    }

    /// Field `column`'s stats in the last summary.
    mutating func set(column: Int, packed p: PackedStats) {
        stats[column].set(count - 1, packed: p)
    }

    /// Folds the fields into summary `i`, all or none: false when a sum would overflow.
    /// Packed stats merge packed (`PackedStats.merged`): a daily mean folds 24 hour headers
    /// a day, and unpacking, merging and packing each again cost a third of it.
    mutating func merge(into i: Int, _ forEachField: ((String, Incoming) -> Void) -> Void) -> Bool {
        staged.removeAll(keepingCapacity: true)
        var fits = true
        forEachField { name, incoming in
            guard fits else { return }
            let f = slot(name)
            if case .packed(let next) = incoming, let earlier = stats[f].packed(at: i) {
                guard let m = earlier.merged(with: next) else {
                    fits = false
                    return
                }
                staged.append((f, .packed(m)))
            } else if let earlier = stats[f][i] {
                guard let m = earlier.merged(with: incoming.stats) else {
                    fits = false
                    return
                }
                staged.append((f, .full(m)))
            } else {
                staged.append((f, incoming))
            }
        }
        guard fits else { return false }
        for (f, incoming) in staged {
            switch incoming {
            case .packed(let p): stats[f].set(i, packed: p)
            case .full(let s): stats[f].set(i, s)
            }
        }
        return true
    }

    /// The column of field `name`, added (nil for every earlier summary) if new.
    mutating func slot(_ name: String) -> Int {
        if let f = names.firstIndex(of: name) { return f }
        names.append(name)
        var column = SummaryStatsColumn(absentFor: count)
        column.reserveCapacity(capacity)
        stats.append(column)
        return names.count - 1
    }
}
