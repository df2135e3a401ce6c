import StrataCore

extension SelectExecutor {
    /// Bounds the buckets one group may expand to with fill: a GROUP BY time(1s) over years
    /// would otherwise exhaust memory. 5 M rows is far beyond what a client can use.
    static let maxBucketsPerGroup = 5_000_000

    /// The rows of one group from its reducers: fill applied per call, then transforms and
    /// expressions evaluated per bucket.
    func rows(of buckets: GroupBuckets, _ c: Context, readLo: Int64) throws(QueryError) -> [[QueryValue]] {
        let plan = c.plan
        guard !buckets.reducers.isEmpty else { return [] }
        let starts = try bucketStarts(buckets, c, readLo: readLo)
        var results: [[[ReducedPoint]]] = Array(repeating: [], count: plan.calls.count)
        for k in plan.calls.indices {
            results[k] = starts.map { buckets.reducers[$0]?[k].result() ?? [] }
        }
        guard results.contains(where: { $0.contains { !$0.isEmpty } }) else { return [] }
        let outputStart = plan.interval == 0 ? (c.lo == WhereClause.minTime ? 0 : c.lo) : 0
        let bucketTime: (Int) -> Int64 = { plan.interval == 0 ? outputStart : starts[$0] }
        if plan.multiValued && plan.calls.count > 1 { return try joinedSampleRows(results, starts.indices, c) }
        if plan.multiValued { return try multiValuedRows(results, starts.indices, bucketTime, c) }

        var filled: [[QueryValue]] = results.map { seq in seq.map { $0.first?.value ?? .null } }
        if plan.interval > 0 {
            for k in filled.indices {
                // InfluxDB counts an empty bucket as 0 unless another fill is asked for.
                let isCount = ["count", "countDistinct"].contains(plan.calls[k].function)
                filled[k] = Self.fill(filled[k], isCount && !nested && statement.fill == .null ? .integer(0) : statement.fill)
            }
        }
        var evaluation = BucketEvaluation(plan: plan, starts: starts, filled: filled, results: results, descending: statement.descending)
        try evaluation.computeTransforms()
        let hasTransform = plan.columns.contains { Self.containsTransform($0.expr) }
        let firstOutput = plan.interval > 0 ? window(c.lo, plan) : Int64.min
        var out: [[QueryValue]] = []
        for b in starts.indices where plan.interval == 0 || starts[b] >= firstOutput || c.lo == WhereClause.minTime {
            let anyRaw = results.contains { !$0[b].isEmpty }
            var row: [QueryValue] = []
            row.reserveCapacity(plan.columns.count + 1)
            if plan.selectorTime {
                guard let p = results[0][b].first else { continue }
                row.append(.time(p.time))
            } else {
                row.append(.time(bucketTime(b)))
            }
            for column in evaluation.columns { row.append(evaluation.value(column, b)) }
            let emit: Bool
            if plan.interval == 0 {
                emit = anyRaw
            } else if hasTransform {
                emit = evaluation.columns.contains { evaluation.emits($0, b, fillsEmptyBuckets: statement.fill != .none) }
            } else if statement.fill == .none {
                emit = anyRaw
            } else {
                emit = true
            }
            if emit { out.append(row) }
        }
        return out
    }

    private func bucketStarts(_ buckets: GroupBuckets, _ c: Context, readLo: Int64) throws(QueryError) -> [Int64] {
        let plan = c.plan
        if plan.interval == 0 { return [0] }
        let present = buckets.reducers.keys.sorted()
        if statement.fill == .none {
            try task.count(buckets: present.count)
            try task.holdForStatement(QueryMemory.bytes(buckets: present.count, columns: plan.columns.count))
            return present
        }
        let first = c.clause.timeMin != nil ? window(readLo, plan) : present[0]
        let last = window(c.hi, plan)
        guard first <= last else { return [] }
        // In a zone the count is nominal: within one per offset change.
        let count = (last - first) / plan.interval + 1
        try task.count(buckets: Int(clamping: count))
        guard count <= Self.maxBucketsPerGroup else {
            throw QueryError("GROUP BY time(\(plan.interval)ns) with fill gives \(count) buckets per series, more than the limit of \(Self.maxBucketsPerGroup); narrow the time range, use a larger interval or fill(none)")
        }
        try task.holdForStatement(QueryMemory.bytes(buckets: Int(count), columns: plan.columns.count))
        if plan.zone != nil { return zonedBucketStarts(from: first, through: last, present: present, plan) }
        return (0..<Int(count)).map { first + Int64($0) * plan.interval }
    }

    /// Bucket starts stepped one by one, since a zone's buckets differ in length. As
    /// InfluxDB's fill does, a bucket that holds points is the next start when it comes
    /// before the step (an edge moved by an offset change).
    private func zonedBucketStarts(from first: Int64, through last: Int64, present: [Int64], _ plan: SelectPlan) -> [Int64] {
        var starts: [Int64] = []
        var b = first
        var p = present.partitioningIndex { $0 > first }
        while b <= last {
            starts.append(b)
            var next = nextWindow(b, plan)
            while p < present.count && present[p] <= b { p += 1 }
            if p < present.count && present[p] < next { next = present[p] }
            guard next > b else { break }
            b = next
        }
        return starts
    }

    /// Several sample() calls (`sample(*, n)`): their points joined by time, a row per time
    /// any of them picked, null where a call picked nothing then.
    private func joinedSampleRows(_ results: [[[ReducedPoint]]], _ buckets: Range<Int>,
                                  _ c: Context) throws(QueryError) -> [[QueryValue]] {
        var callOf: [Int?] = []
        for column in c.plan.columns {
            if case let .call(name, args) = column.expr {
                callOf.append(c.plan.calls.firstIndex(of: try c.plan.aggregateCall(name, args)))
            } else {
                callOf.append(nil)
            }
        }
        var out: [[QueryValue]] = []
        for b in buckets {
            let times = Set(results.flatMap { $0[b].map(\.time) }).sorted()
            for t in times {
                var row: [QueryValue] = [.time(t)]
                for k in callOf {
                    row.append(k.flatMap { k in results[k][b].first { $0.time == t }?.value } ?? .null)
                }
                out.append(row)
            }
        }
        return out
    }

    /// top(), bottom(), distinct(): one row per returned point.
    private func multiValuedRows(_ results: [[[ReducedPoint]]], _ buckets: Range<Int>, _ bucketTime: (Int) -> Int64,
                                 _ c: Context) throws(QueryError) -> [[QueryValue]] {
        var out: [[QueryValue]] = []
        for b in buckets {
            for p in results[0][b] {
                var row: [QueryValue] = [.time(c.plan.selectorTime ? p.time : bucketTime(b))]
                for column in c.plan.columns {
                    switch column.expr {
                    case .varRef:
                        let i = c.plan.auxRefs.firstIndex(of: column.expr) ?? c.plan.auxRefs.firstIndex {
                            if case let .varRef(n, _) = $0, case let .varRef(m, _) = column.expr { return n == m } else { return false }
                        }
                        row.append(i.flatMap { $0 < p.aux.count ? p.aux[$0] : nil } ?? .null)
                    default:
                        row.append(try BucketEvaluation.substitute(column.expr, p.value) { ref in
                            c.plan.auxRefs.firstIndex(of: ref).flatMap { $0 < p.aux.count ? p.aux[$0] : nil }
                        })
                    }
                }
                out.append(row)
            }
        }
        return out
    }

    static func fill(_ values: [QueryValue], _ fill: Fill) -> [QueryValue] {
        switch fill {
        case .null, .none:
            return values
        case .number(let x):
            let integral = values.contains { if case .integer = $0 { return true } else { return false } }
            let v: QueryValue = integral && x == x.rounded() ? .integer(Int64(x)) : .float(x)
            return values.map { $0 == .null ? v : $0 }
        case .integer(let x):
            let isFloat = values.contains { if case .float = $0 { return true } else { return false } }
            let v: QueryValue = isFloat ? .float(Double(x)) : .integer(x)
            return values.map { $0 == .null ? v : $0 }
        case .previous:
            var last = QueryValue.null
            return values.map { v in
                if v != .null { last = v }
                return v == .null ? last : v
            }
        case .linear:
            var out = values
            var prev: Int?
            for i in values.indices where values[i] != .null {
                if let p = prev, i - p > 1 {
                    for j in (p + 1)..<i { out[j] = interpolate(values[p], values[i], Double(j - p) / Double(i - p), j - p, i - p) }
                }
                prev = i
            }
            return out
        }
    }

    private static func interpolate(_ a: QueryValue, _ b: QueryValue, _ f: Double, _ step: Int, _ span: Int) -> QueryValue {
        if case .integer(let x) = a, case .integer(let y) = b {
            return .integer(x + (y - x) / Int64(span) * Int64(step))
        }
        guard let x = ValueMath.asDouble(a), let y = ValueMath.asDouble(b) else { return .null }
        return .float(x + (y - x) * f)
    }
}

/// Evaluates column expressions per bucket over the calls' filled values. Expressions are
/// compiled once per group into nodes that index the calls directly, so a bucket costs no
/// lookups by name.
struct BucketEvaluation {
    indirect enum Node {
        case call(Int)
        case transform(Int)
        case math(String, [Node])
        case binary(BinaryOperator, Node, Node)
        case literal(QueryValue)
        case aux(Int)
    }

    let plan: SelectPlan
    let starts: [Int64]
    let filled: [[QueryValue]]
    let results: [[[ReducedPoint]]]
    let descending: Bool
    /// One node per output column.
    private(set) var columns: [Node] = []
    /// Per transform node: its value at each bucket.
    private var transformed: [[QueryValue]] = []

    init(plan: SelectPlan, starts: [Int64], filled: [[QueryValue]], results: [[[ReducedPoint]]], descending: Bool) {
        self.descending = descending
        self.plan = plan
        self.starts = starts
        self.filled = filled
        self.results = results
    }

    /// Compiles the columns and runs their transformations over the bucket sequence.
    mutating func computeTransforms() throws(QueryError) {
        columns = []
        for column in plan.columns { columns.append(try compile(column.expr)) }
    }

    private mutating func compile(_ e: Expr) throws(QueryError) -> Node {
        switch e {
        case let .call(name, args) where Transform.names.contains(name):
            guard let innerExpr = args.first else { return .literal(.null) }
            let inner = try compile(innerExpr)
            let transform = try Transform.make(name, Array(args.dropFirst()), interval: plan.interval)
            var points: [(Int64, QueryValue)] = []
            for b in starts.indices {
                let v = value(inner, b)
                if v != .null { points.append((starts[b], v)) }
            }
            // With ORDER BY time DESC InfluxDB runs the transformation newest first.
            if descending { points.reverse() }
            var index: [Int64: Int] = [:]
            for (b, t) in starts.enumerated() { index[t] = b }
            var out = Array(repeating: QueryValue.null, count: starts.count)
            for (t, v) in transform.apply(points) { if let b = index[t] { out[b] = v } }
            transformed.append(out)
            return .transform(transformed.count - 1)
        case let .call(name, args) where ValueMath.mathFunctions.contains(name):
            var nodes: [Node] = []
            for a in args { nodes.append(try compile(a)) }
            return .math(name, nodes)
        case let .call(name, args):
            let call = try plan.aggregateCall(name, args)
            guard let k = plan.calls.firstIndex(of: call) else { return .literal(.null) }
            return .call(k)
        case let .binary(op, l, r):
            return .binary(op, try compile(l), try compile(r))
        case let .paren(inner):
            return try compile(inner)
        case .varRef:
            guard let i = plan.auxRefs.firstIndex(of: e) else { return .literal(.null) }
            return .aux(i)
        default:
            return .literal(SelectExecutor.literal(e))
        }
    }

    /// Whether `node` gives a point at bucket `b`, as InfluxDB's iterators do: an aggregate
    /// at every bucket unless fill(none) leaves empty ones out, a transformation where it
    /// has an output, math and arithmetic where any operand does (a binary iterator joins
    /// its sides by time), a literal nowhere by itself. A row appears where a column gives a
    /// point, even a null one: `sum(v) / elapsed(sum(v), 1m)` answers every bucket.
    func emits(_ node: Node, _ b: Int, fillsEmptyBuckets: Bool) -> Bool {
        switch node {
        case .call(let k): return fillsEmptyBuckets || !results[k][b].isEmpty
        case .transform(let i): return transformed[i][b] != .null
        case let .math(_, args): return args.contains { emits($0, b, fillsEmptyBuckets: fillsEmptyBuckets) }
        case let .binary(_, l, r):
            return emits(l, b, fillsEmptyBuckets: fillsEmptyBuckets) || emits(r, b, fillsEmptyBuckets: fillsEmptyBuckets)
        case .literal: return false
        case .aux: return results.first.map { !$0[b].isEmpty } ?? false
        }
    }

    func value(_ node: Node, _ b: Int) -> QueryValue {
        switch node {
        case .call(let k): return filled[k][b]
        case .transform(let i): return transformed[i][b]
        case let .math(name, args): return ValueMath.math(name, args.map { value($0, b) })
        case let .binary(op, l, r): return ValueMath.binary(op, value(l, b), value(r, b))
        case .literal(let v): return v
        case .aux(let i):
            guard let p = results.first?[b].first, i < p.aux.count else { return .null }
            return p.aux[i]
        }
    }

    /// An expression over the single call of a multi-valued query, at one of its points.
    /// `e` with its call replaced by `v` and its references by `aux` (the selected point's
    /// values; null where it has none).
    static func substitute(_ e: Expr, _ v: QueryValue,
                           aux: (Expr) -> QueryValue? = { _ in nil }) throws(QueryError) -> QueryValue {
        switch e {
        case .call(let name, let args) where ValueMath.mathFunctions.contains(name):
            var values: [QueryValue] = []
            for a in args { values.append(try substitute(a, v, aux: aux)) }
            return ValueMath.math(name, values)
        case .call: return v
        case let .binary(op, l, r):
            return ValueMath.binary(op, try substitute(l, v, aux: aux), try substitute(r, v, aux: aux))
        case let .paren(inner): return try substitute(inner, v, aux: aux)
        case .varRef: return aux(e) ?? .null
        default: return SelectExecutor.literal(e)
        }
    }
}
