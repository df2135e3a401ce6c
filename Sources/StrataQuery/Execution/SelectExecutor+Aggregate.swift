import Dispatch
import Foundation
import StrataCore

extension SelectExecutor {
    /// One group's reducers, keyed by bucket start, one reducer per aggregate call.
    final class GroupBuckets {
        var reducers: [Int64: [Reducer]] = [:]
    }

    /// Aggregates: each group's series are cut into GROUP BY time buckets and folded by the
    /// calls' reducers, from block-header stats where a whole block falls in one bucket.
    mutating func runAggregate(_ c: Context) throws(QueryError) -> [ResultSeries] {
        let plan = c.plan
        let extra = Self.needsPreviousBucket(plan) && c.clause.timeMin != nil ? plan.interval : 0
        let readLo = extra > 0 ? window(c.lo, plan) - extra : c.lo
        let auxTagIndex = plan.calls.first?.tag.flatMap { tag in plan.auxRefs.firstIndex(of: .varRef(tag, .tag)) }
        let summarize = c.clause.rowFilter == nil && plan.auxRefs.isEmpty
            && plan.calls.allSatisfy(\.summarizable)
        let interval = plan.interval
        let offset = plan.offset
        let canSummarize: (Int64, Int64) -> Bool = { lo, hi in
            guard summarize else { return false }
            guard interval > 0 else { return true }
            return Self.window(lo, interval, offset) == Self.window(hi, interval, offset)
        }
        let all = try readChunks(c, from: readLo, canSummarize: canSummarize)
        let clock = ContinuousClock()
        let start = clock.now
        defer { computeTime += clock.now - start }
        let groups = grouped(all, by: plan.groupTags)
        let rowsPerGroup = try reduceGroups(groups, c, readLo: readLo, auxTagIndex: auxTagIndex)
        var out: [ResultSeries] = []
        for (group, values) in zip(groups, rowsPerGroup) where !values.isEmpty {
            out.append(ResultSeries(name: c.measurement, tags: Self.tagMap(plan.groupTags, group.key),
                                    columns: [plan.timeName] + plan.columns.map(\.name), values: values))
        }
        return out
    }

    /// Groups are independent, so they are reduced on every core; each worker takes every
    /// n-th group and has its own row evaluator (its regex cache is not shared).
    private func reduceGroups(_ groups: [(key: [String], series: [SeriesChunks])], _ c: Context, readLo: Int64,
                              auxTagIndex: Int?) throws(QueryError) -> [[[QueryValue]]] {
        let workers = groups.count > 1 ? min(groups.count, ProcessInfo.processInfo.activeProcessorCount) : 1
        let slots = UnsafeMutableBufferPointer<Result<[[QueryValue]], QueryError>>.allocate(capacity: groups.count)
        _ = slots.initialize(from: repeatElement(.success([]), count: groups.count))
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        // Workers read the executor, context and groups, which nothing mutates meanwhile, and
        // write disjoint slots.
        let shared = UncheckedSendable((self, c, groups, slots))
        // The scan pool, not concurrentPerform: on Linux its helpers are cooperative-pool threads.
        EngineThreads.shared.scan.forEach(workers) { worker in
            let (me, c, groups, slots) = shared.value
            var context = c
            context.evaluator = RowEvaluator(fieldTypes: c.plan.fieldTypes)
            for g in stride(from: worker, to: groups.count, by: workers) {
                slots[g] = Result { () throws(QueryError) -> [[QueryValue]] in
                    let buckets = GroupBuckets()
                    for s in groups[g].series {
                        try me.task.check()
                        try me.feed(s, into: buckets, context, auxTagIndex: auxTagIndex)
                    }
                    return try me.rows(of: buckets, context, readLo: readLo)
                }
            }
        }
        let results = Array(slots)
        var out: [[[QueryValue]]] = []
        for r in results { out.append(try r.get()) }
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

    func window(_ t: Int64, _ plan: SelectPlan) -> Int64 { Self.window(t, plan.interval, plan.offset) }

    /// The start of the bucket holding `t`: buckets are [offset + k·interval, +interval).
    static func window(_ t: Int64, _ interval: Int64, _ offset: Int64) -> Int64 {
        guard interval > 0 else { return 0 }
        var r = (t &- offset) % interval
        if r < 0 { r += interval }
        return t &- r
    }

    private func reducers(_ buckets: GroupBuckets, _ start: Int64, _ plan: SelectPlan, auxTagIndex: Int?) throws(QueryError) -> [Reducer] {
        if let r = buckets.reducers[start] { return r }
        var made: [Reducer] = []
        for call in plan.calls { made.append(try call.makeReducer(auxTagIndex: auxTagIndex)) }
        buckets.reducers[start] = made
        return made
    }

    private func feed(_ s: SeriesChunks, into buckets: GroupBuckets, _ c: Context, auxTagIndex: Int?) throws(QueryError) {
        let plan = c.plan
        for chunk in s.chunks {
            switch chunk {
            case .summary(let summary) where lacksSelectedTime(summary, plan):
                try feed(decodedBlock(of: s.key, summary, c), into: buckets, c, auxTagIndex: auxTagIndex)
            case .summary(let summary):
                let rs = try reducers(buckets, window(summary.minTime, plan), plan, auxTagIndex: auxTagIndex)
                for (k, call) in plan.calls.enumerated() {
                    if let stats = summary.fields[call.field] { rs[k].add(summary: stats) }
                }
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
                    let end = plan.interval > 0 ? ts[i...].partitioningIndex { $0 >= start &+ plan.interval } : ts.count
                    let rs = try reducers(buckets, plan.interval > 0 ? start : 0, plan, auxTagIndex: auxTagIndex)
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
    /// A lone min()/max() reports its point's time, which version 1 segment stats lack.
    func lacksSelectedTime(_ summary: BlockSummary, _ plan: SelectPlan) -> Bool {
        guard plan.selectorTime else { return false }
        return plan.calls.contains { call in
            guard let stats = summary.fields[call.field] else { return false }
            switch call.function {
            case "min": return stats.min != nil && stats.minTime == nil
            case "max": return stats.max != nil && stats.maxTime == nil
            default: return false
            }
        }
    }

    /// The rows of one series over a summarized block's span, decoded.
    func decodedBlock(of key: SeriesKey, _ summary: BlockSummary, _ c: Context) throws(QueryError) -> SeriesChunks {
        let exact: TagPredicate = key.tags.isEmpty ? .all : .and(key.tags.map { .equals($0.key, $0.value) })
        var statistics = ScanStatistics()
        let found = try source.chunks(c.measurement, tags: exact, fields: c.fields, range: summary.minTime...summary.maxTime,
                                      canSummarize: { _, _ in false }, statistics: &statistics)
        return found.first { $0.key == key } ?? SeriesChunks(key: key, chunks: [])
    }
}

/// Hands state that is not Sendable to `DispatchQueue.concurrentPerform` workers. Only for
/// state the workers read without anyone mutating it, or write at disjoint places.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
