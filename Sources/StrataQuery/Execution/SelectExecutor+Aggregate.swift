import Dispatch
import Foundation
import StrataCore

extension SelectExecutor {
    /// One group's reducers, keyed by bucket start, one reducer per aggregate call.
    final class GroupBuckets {
        private(set) var reducers: [Int64: [Reducer]] = [:]
        /// The same reducers by bucket index from `base`: a lookup per summary hashed its
        /// start, ~5% of an hourly mean over a month. Grown as buckets are made, up to
        /// `denseLimit` buckets (512 KiB a group); later buckets are only in `reducers`.
        private var dense: [[Reducer]?] = []
        private let base: Int64
        private let interval: Int64
        static let denseLimit = 1 << 16

        init(base: Int64 = 0, interval: Int64 = 0) {
            self.base = base
            self.interval = interval
        }

        subscript(start: Int64) -> [Reducer]? {
            if let i = denseIndex(start) { return i < dense.count ? dense[i] : nil }
            return reducers[start]
        }

        func insert(_ made: [Reducer], at start: Int64) {
            reducers[start] = made
            guard let i = denseIndex(start) else { return }
            if i >= dense.count { dense.append(contentsOf: repeatElement(nil, count: i + 1 - dense.count)) }
            dense[i] = made
        }

        private func denseIndex(_ start: Int64) -> Int? {
            guard interval > 0, start >= base else { return nil }
            let (offset, overflow) = start.subtractingReportingOverflow(base)
            guard !overflow, offset / interval < Int64(Self.denseLimit) else { return nil }
            return Int(offset / interval)
        }
    }

    /// Aggregates: each group's series are cut into GROUP BY time buckets and folded by the
    /// calls' reducers, from block-header stats where a whole block falls in one bucket.
    mutating func runAggregate(_ c: Context) throws(QueryError) -> [ResultSeries] {
        let plan = c.plan
        let extra = Self.needsPreviousBucket(plan) && c.clause.timeMin != nil ? plan.interval : 0
        let readLo = extra > 0 ? previousWindow(window(c.lo, plan), plan) : c.lo
        let auxTagIndexes = (plan.calls.first?.tags ?? []).compactMap { tag in plan.auxRefs.firstIndex(of: .varRef(tag, .tag)) }
        // Block summaries and tiers are cut at UTC-aligned bounds; a zone's buckets move
        // with its offset, so they read rows.
        let summarize = c.clause.rowFilter == nil && plan.auxRefs.isEmpty && plan.zone == nil
            && plan.calls.allSatisfy(\.summarizable)
        let interval = plan.interval
        let offset = plan.offset
        let canSummarize: (Int64, Int64) -> Bool = { lo, hi in
            guard summarize else { return false }
            guard interval > 0 else { return true }
            return Self.window(lo, interval, offset) == Self.window(hi, interval, offset)
        }
        // What the reducers fold of a summary; summaries in one GROUP BY bucket may merge.
        let summaries = summarize
            ? SummaryRequest(parts: plan.calls.reduce(SummaryParts()) { $0.union($1.summaryParts) },
                             interval: interval, offset: offset)
            : nil
        var buckets: [[String]: GroupBuckets] = [:]
        defer { countsSeriesPerRead = true }
        for range in try aggregateWindows(c, readLo: readLo, summarizes: summarize, canSummarize: canSummarize) {
            var w = c
            w.lo = range.lowerBound
            w.hi = range.upperBound
            let chunks = try readChunks(w, from: range.lowerBound, canSummarize: canSummarize, summaries: summaries)
            let clock = ContinuousClock()
            let start = clock.now
            let groups = grouped(chunks, by: plan.groupTags)
            let fed = groups.map { group in
                buckets[group.key] ?? GroupBuckets(base: window(readLo, plan), interval: plan.zone == nil ? interval : 0)
            }
            for (group, b) in zip(groups, fed) { buckets[group.key] = b }
            try feedGroups(groups, into: fed, c, auxTagIndexes: auxTagIndexes)
            computeTime += clock.now - start
            // The window's decoded rows are folded into the buckets: give them back.
            task.releaseStatementMemory()
        }
        let clock = ContinuousClock()
        let start = clock.now
        defer { computeTime += clock.now - start }
        let keys = buckets.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let rowsPerGroup = try groupRows(keys.map { buckets[$0]! }, c, readLo: readLo)
        var out: [ResultSeries] = []
        for (key, values) in zip(keys, rowsPerGroup) where !values.isEmpty {
            out.append(ResultSeries(name: c.measurement, tags: Self.tagMap(plan.groupTags, key),
                                    columns: [plan.timeName] + plan.columns.map(\.name), values: values))
        }
        return out
    }

    /// Decoded rows one window of a streamed aggregate may hold: 64 MiB, as
    /// `QueryMemory` counts them (8 bytes a time, 9 a value). The month benchmark's 30 days
    /// of one field (259 M rows) then read in ~70 windows; tier buckets and block summaries
    /// count as the raw rows they stand for, so a window is never larger than this.
    static let aggregateWindowBytes = 64 << 20

    /// The time windows an aggregate reads one after another, folding each into the
    /// groups' buckets before reading the next, so its decoded rows are bounded by a window,
    /// not by its range. Windows start at GROUP BY bucket boundaries: a bucket is fed from
    /// one window only, in the order a single read would feed it (series by series), so the
    /// answer is the same to the last bit, and no block or tier bucket that could answer a
    /// GROUP BY bucket whole is cut. Transformations (derivative of a mean…) run on the
    /// buckets once all windows are in, so they window too, from the bucket before the range
    /// they read. One window (the whole range) without GROUP BY time, or off storage.
    ///
    /// A compacted segment's block inside one bucket is answered from its header, not
    /// decoded: it counts as one row, so a query answered mostly from headers reads in a
    /// few windows, not in as many as its rows would fill (each window sets up every series
    /// again: the month benchmark's hourly mean took ~70). Should such a block be decoded
    /// after all (a head write or a delete over it), the rows decoded still count against
    /// `query-memory-bytes`.
    /// A compacted block that a rollup tier answers (its GROUP BY buckets take the tier's
    /// whole) counts as the tier buckets it spans: Q4 per 15 minutes over the month read in
    /// ~66 windows as raw rows, each setting every series up again and decoding its day's
    /// tier block again.
    private mutating func aggregateWindows(_ c: Context, readLo: Int64, summarizes: Bool,
                                           canSummarize: (Int64, Int64) -> Bool) throws(QueryError) -> [ClosedRange<Int64>] {
        let plan = c.plan
        let whole = [readLo...c.hi]
        guard plan.interval > 0, let storage = source as? StorageSource else { return whole }
        let target = aggregateWindowRows
            ?? max(1, Self.aggregateWindowBytes / QueryMemory.bytes(decodedRows: 1, fields: c.fields.count))
        func cheaper(_ span: RowSpan) -> RowSpan {
            guard span.compacted else { return span }
            var cheaper = span
            if canSummarize(span.minTime, span.maxTime) {
                cheaper.rows = 1
            } else if let tier = span.tier, Self.tierAnswers(resolution: tier.resolution, interval: plan.interval, offset: plan.offset) {
                cheaper.rows = tier.buckets
            }
            return cheaper
        }
        let tierFields = summarizes ? c.fields : nil
        // Summed first, without a span array: most long aggregates fit one window.
        var total = 0
        storage.forEachRowSpan(c.measurement, tags: c.clause.tags, range: readLo...c.hi, tierFields: tierFields) { span in
            total += cheaper(span).rows
        }
        guard total > target else { return whole }
        let spans = storage.rowSpans(c.measurement, tags: c.clause.tags, range: readLo...c.hi, tierFields: tierFields).map(cheaper)
        let cut = RowSpan.windows(spans, rows: target, range: readLo...c.hi)
        guard cut.count > 1 else { return whole }
        var starts: [Int64] = [readLo]
        for range in cut.dropFirst() {
            let start = window(range.lowerBound, plan)
            if start > starts[starts.count - 1] { starts.append(start) }
        }
        guard starts.count > 1 else { return whole }
        // Each series is counted once for the statement, not once per window.
        let keys = storage.seriesKeys(c.measurement, tags: c.clause.tags)
        try task.count(series: keys.count)
        countsSeriesPerRead = false
        return starts.indices.map { i in starts[i]...(i + 1 < starts.count ? starts[i + 1] - 1 : c.hi) }
    }

    /// Whether GROUP BY buckets of `interval` and `offset` take a tier's buckets of
    /// `resolution` whole: their boundaries fall on the tier's.
    static func tierAnswers(resolution r: Int64, interval: Int64, offset: Int64) -> Bool {
        interval > 0 && SummaryRequest(interval: interval, offset: offset).takesWhole(resolution: r)
    }

    /// Feeds each group's series into its buckets. Groups are independent, so they are fed
    /// on every core; each worker takes every n-th group and has its own row evaluator (its
    /// regex cache is not shared).
    private func feedGroups(_ groups: [(key: [String], series: [SeriesChunks])], into buckets: [GroupBuckets], _ c: Context,
                            auxTagIndexes: [Int]) throws(QueryError) {
        try forEachGroup(groups.count, c) { me, g, context throws(QueryError) in
            for s in groups[g].series {
                try me.task.check()
                try me.feed(s, into: buckets[g], context, auxTagIndexes: auxTagIndexes)
            }
            return []
        }
    }

    /// Each group's result rows from its buckets, on every core.
    private func groupRows(_ buckets: [GroupBuckets], _ c: Context, readLo: Int64) throws(QueryError) -> [[[QueryValue]]] {
        try forEachGroup(buckets.count, c) { me, g, context throws(QueryError) in
            try me.rows(of: buckets[g], context, readLo: readLo)
        }
    }

    /// `body(executor, group index, context)` for every group, on the scan pool (not
    /// concurrentPerform: on Linux its helpers are cooperative-pool threads). Workers read
    /// the executor and context, which nothing mutates meanwhile, and write disjoint slots.
    private func forEachGroup(_ count: Int, _ c: Context,
                              _ body: @escaping (SelectExecutor, Int, Context) throws(QueryError) -> [[QueryValue]])
        throws(QueryError) -> [[[QueryValue]]]
    {
        let workers = count > 1 ? min(count, ProcessInfo.processInfo.activeProcessorCount) : 1
        let slots = UnsafeMutableBufferPointer<Result<[[QueryValue]], QueryError>>.allocate(capacity: count)
        _ = slots.initialize(from: repeatElement(.success([]), count: count))
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let shared = UncheckedSendable((self, c, slots, body))
        EngineThreads.shared.scan.forEach(workers) { worker in
            let (me, c, slots, body) = shared.value
            var context = c
            context.evaluator = RowEvaluator(fieldTypes: c.plan.fieldTypes)
            for g in stride(from: worker, to: count, by: workers) {
                slots[g] = Result { () throws(QueryError) -> [[QueryValue]] in try body(me, g, context) }
            }
        }
        var out: [[[QueryValue]]] = []
        for r in Array(slots) { out.append(try r.get()) }
        return out
    }

    static func needsPreviousBucket(_ plan: SelectPlan) -> Bool {
        plan.columns.contains { containsTransform($0.expr) }
    }

    static func containsTransform(_ e: Expr) -> Bool {
        switch e {
        case let .call(name, args): return Transform.names.contains(name) || args.contains(where: containsTransform)
        case let .binary(_, l, r): return containsTransform(l) || containsTransform(r)
        case let .paren(inner): return containsTransform(inner)
        default: return false
        }
    }

    func window(_ t: Int64, _ plan: SelectPlan) -> Int64 {
        guard let zone = plan.zone else { return Self.window(t, plan.interval, plan.offset) }
        return Self.window(t, plan.interval, plan.offset, in: zone)
    }

    /// The start of the bucket after the one starting at `start`. In a zone, a bucket
    /// across an offset change is longer or shorter by the change (a day of 23 or 25
    /// hours), unless the change is as long as the interval, as InfluxDB's fill steps:
    /// it compares the offsets in force just before each edge.
    func nextWindow(_ start: Int64, _ plan: SelectPlan) -> Int64 {
        let next = start &+ plan.interval
        guard let zone = plan.zone else { return next }
        let change = zone.offset(at: start &- 1) - zone.offset(at: next &- 1)
        return change != 0 && change.magnitude < plan.interval.magnitude ? next &+ change : next
    }

    /// The start of the bucket before the one starting at `start`.
    func previousWindow(_ start: Int64, _ plan: SelectPlan) -> Int64 {
        plan.zone == nil ? start &- plan.interval : window(start &- 1, plan)
    }

    /// InfluxDB's bucket in a location: cut at `interval` of the zone's wall-clock time
    /// at `t`, then moved by the offset change between `t` and that start when the change
    /// is shorter than the interval (a day bucket starts at local midnight across DST).
    static func window(_ t: Int64, _ interval: Int64, _ offset: Int64, in zone: QueryZone) -> Int64 {
        guard interval > 0 else { return 0 }
        let shifted = t &- offset
        let zoneOffset = zone.offset(at: shifted)
        var r = (shifted &+ zoneOffset) % interval
        if r < 0 { r += interval }
        var start = shifted &- r
        let change = zoneOffset - zone.offset(at: start)
        if change != 0 && change.magnitude < interval.magnitude { start &+= change }
        return start &+ offset
    }

    /// The start of the bucket holding `t`: buckets are [offset + k·interval, +interval).
    static func window(_ t: Int64, _ interval: Int64, _ offset: Int64) -> Int64 {
        guard interval > 0 else { return 0 }
        var r = (t &- offset) % interval
        if r < 0 { r += interval }
        return t &- r
    }

    private func reducers(_ buckets: GroupBuckets, _ start: Int64, _ plan: SelectPlan, auxTagIndexes: [Int]) throws(QueryError) -> [Reducer] {
        if let r = buckets[start] { return r }
        var made: [Reducer] = []
        for call in plan.calls {
            made.append(try call.makeReducer(auxTagIndexes: auxTagIndexes, pointByPoint: source.everyRowIsAPoint))
        }
        buckets.insert(made, at: start)
        return made
    }

    private func feed(_ s: SeriesChunks, into buckets: GroupBuckets, _ c: Context, auxTagIndexes: [Int]) throws(QueryError) {
        let plan = c.plan
        for chunk in s.chunks {
            switch chunk {
            case .summary(let summary) where lacksSelectedTime(summary, plan):
                try feed(decodedBlock(of: s.key, summary, c), into: buckets, c, auxTagIndexes: auxTagIndexes)
            case .summary(let summary):
                let rs = try reducers(buckets, window(summary.minTime, plan), plan, auxTagIndexes: auxTagIndexes)
                for (k, call) in plan.calls.enumerated() {
                    if let stats = summary.fields[call.field] { rs[k].add(summary: stats) }
                }
            case .summaries(let run):
                try feed(run, of: s.key, into: buckets, c, auxTagIndexes: auxTagIndexes)
            case .rows(let stored):
                let rows = try c.evaluator.filtered(stored, by: c.clause.rowFilter)
                let ts = rows.timestamps
                let aux: ((Int) -> [QueryValue])? = plan.auxRefs.isEmpty ? nil : { row in
                    plan.auxRefs.map { ref in
                        guard case let .varRef(name, type) = ref else { return .null }
                        return c.evaluator.lookup(name, type, rows: rows, row: row, missingTag: .null)
                    }
                }
                var i = 0
                while i < ts.count {
                    let start = window(ts[i], plan)
                    let next = plan.interval > 0 ? nextWindow(start, plan) : 0
                    // A zone's bucket edges can disagree by an offset change (InfluxDB's do
                    // too): the row stays in the bucket `window` gave it, and the loop moves on.
                    let end = plan.interval > 0 ? max(i + 1, ts[i...].partitioningIndex { $0 >= next }) : ts.count
                    let rs = try reducers(buckets, plan.interval > 0 ? start : 0, plan, auxTagIndexes: auxTagIndexes)
                    for (k, call) in plan.calls.enumerated() {
                        guard let column = rows.columns[call.field] else { continue }
                        rs[k].add(ColumnSlice(column: column, timestamps: ts, range: i..<end, aux: aux))
                    }
                    i = end
                }
            }
        }
    }
}

extension SelectExecutor {
    /// Folds a run of summaries: each call's field is looked up once for the run, and each
    /// summary's stats are read in place from the run's columns.
    private func feed(_ run: SummaryColumns, of key: SeriesKey, into buckets: GroupBuckets, _ c: Context,
                      auxTagIndexes: [Int]) throws(QueryError) {
        let plan = c.plan
        let columns = plan.calls.map { run.fieldIndex($0.field) }
        // Each call's column, taken out of the run once rather than per summary.
        let stats = columns.map { $0.map { run.stats[$0] } }
        for i in 0..<run.count {
            if plan.selectorTime, lacksSelectedTime(run, i, columns, plan) {
                let summary = run.summary(at: i)
                try feed(decodedBlock(of: key, summary, c), into: buckets, c, auxTagIndexes: auxTagIndexes)
                continue
            }
            let rs = try reducers(buckets, window(run.minTimes[i], plan), plan, auxTagIndexes: auxTagIndexes)
            for k in stats.indices {
                guard let column = stats[k] else { continue }
                rs[k].add(summary: i, of: column)
            }
        }
    }

    /// `lacksSelectedTime` for summary `i` of a run, given each call's column in it.
    func lacksSelectedTime(_ run: SummaryColumns, _ i: Int, _ columns: [Int?], _ plan: SelectPlan) -> Bool {
        zip(plan.calls, columns).contains { call, f in
            guard let f, let stats = run.stats[f][i] else { return false }
            return Self.lacksSelectedTime(stats, call.function)
        }
    }

    /// Whether `function` (min or max) reports a point whose time `stats` do not hold.
    static func lacksSelectedTime(_ stats: BlockStats, _ function: String) -> Bool {
        switch function {
        case "min": stats.min != nil && stats.minTime == nil
        case "max": stats.max != nil && stats.maxTime == nil
        default: false
        }
    }

    /// A lone min()/max() reports its point's time, which version 1 segment stats lack.
    func lacksSelectedTime(_ summary: BlockSummary, _ plan: SelectPlan) -> Bool {
        guard plan.selectorTime else { return false }
        return plan.calls.contains { call in
            summary.fields[call.field].map { Self.lacksSelectedTime($0, call.function) } ?? false
        }
    }

    /// The rows of one series over a summarized block's span, decoded.
    func decodedBlock(of key: SeriesKey, _ summary: BlockSummary, _ c: Context) throws(QueryError) -> SeriesChunks {
        let exact: TagPredicate = key.tags.isEmpty ? .all : .and(key.tags.map { .equals($0.key, $0.value) })
        var statistics = ScanStatistics()
        let found = try source.chunks(c.measurement, tags: exact, fields: c.fields, range: summary.minTime...summary.maxTime,
                                      canSummarize: { _, _ in false }, summaries: nil, statistics: &statistics)
        return found.first { $0.key == key } ?? SeriesChunks(key: key, chunks: [])
    }
}

/// Hands state that is not Sendable to `DispatchQueue.concurrentPerform` workers. Only for
/// state the workers read without anyone mutating it, or write at disjoint places.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
