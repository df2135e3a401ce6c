import StrataCore

extension SelectExecutor {
    /// Raw rows: per group, the rows of its series merged by time; a row appears when at least
    /// one selected field has a value, as in InfluxDB (every row of a subquery's result).
    mutating func runRaw(_ c: Context) throws(QueryError) -> [ResultSeries] {
        let all = try readChunks(c, from: c.lo, canSummarize: { _, _ in false })
        let clock = ContinuousClock()
        let start = clock.now
        defer { computeTime += clock.now - start }
        let selectedFields = c.plan.columns.reduce(into: Set<String>()) {
            $0.formUnion(RowEvaluator.fields(of: $1.expr, fieldTypes: c.plan.fieldTypes))
        }.sorted()
        var out: [ResultSeries] = []
        for group in grouped(all, by: c.plan.groupTags) {
            try task.check()
            let rows = try filteredRows(group.series, c)
            // Per series, each column read once into values: plain fields and tags skip the
            // evaluator, and rows then only pick cells.
            var cells: [[[QueryValue]?]] = []
            for r in rows {
                cells.append(c.plan.columns.map { ColumnReader($0.expr, rows: r, plan: c.plan).materialized(r.count) })
            }
            let presence = rows.map { r in selectedFields.compactMap { r.columns[$0]?.valid } }
            var values: [[QueryValue]] = []
            for (s, i) in source.mergesSeriesByTime ? Self.mergedOrder(rows) : Self.seriesOrder(rows) {
                // InfluxDB emits a row when any selected field has a value there, even if an
                // expression over it is null.
                guard source.everyRowIsAPoint || presence[s].contains(where: { $0[i] }) else { continue }
                // A long raw result stops within 64 K rows of a kill or timeout.
                if values.count & 0xFFFF == 0xFFFF { try task.check() }
                var row: [QueryValue] = []
                row.reserveCapacity(cells[s].count + 1)
                row.append(.time(rows[s].timestamps[i]))
                for (k, column) in cells[s].enumerated() {
                    if let column {
                        row.append(column[i])
                    } else {
                        row.append(try c.evaluator.value(c.plan.columns[k].expr, rows: rows[s], row: i))
                    }
                }
                values.append(row)
            }
            out.append(ResultSeries(name: c.measurement, tags: Self.tagMap(c.plan.groupTags, group.key),
                                    columns: [c.plan.timeName] + c.plan.columns.map(\.name), values: values))
        }
        return out
    }

    /// derivative(x), difference(x)… over the raw points of each group.
    mutating func runRawTransform(_ c: Context) throws(QueryError) -> [ResultSeries] {
        let all = try readChunks(c, from: c.lo, canSummarize: { _, _ in false })
        let clock = ContinuousClock()
        let start = clock.now
        defer { computeTime += clock.now - start }
        var out: [ResultSeries] = []
        for group in grouped(all, by: c.plan.groupTags) {
            try task.check()
            let rows = try filteredRows(group.series, c)
            let order = Self.mergedOrder(rows)
            var outputs: [[Int64: QueryValue]] = []
            var times = Set<Int64>()
            for column in c.plan.columns {
                var byTime: [Int64: QueryValue] = [:]
                try transformOutputs(column.expr, rows: rows, order: order, evaluator: c.evaluator, into: &byTime)
                times.formUnion(byTime.keys)
                outputs.append(byTime)
            }
            let values = times.sorted().map { t in [QueryValue.time(t)] + outputs.map { $0[t] ?? .null } }
            out.append(ResultSeries(name: c.measurement, tags: Self.tagMap(c.plan.groupTags, group.key),
                                    columns: [c.plan.timeName] + c.plan.columns.map(\.name), values: values))
        }
        return out
    }

    /// Evaluates a column holding one transform (possibly inside math) into time → value.
    private func transformOutputs(_ e: Expr, rows: [SeriesRows], order: [(Int, Int)], evaluator: RowEvaluator,
                                  into out: inout [Int64: QueryValue]) throws(QueryError) {
        switch e {
        case let .call(name, args) where Transform.names.contains(name):
            let transform = try Transform.make(name, Array(args.dropFirst()), interval: 0)
            var points: [(Int64, QueryValue)] = []
            for (s, i) in order {
                let v = try evaluator.value(args[0], rows: rows[s], row: i)
                if v != .null { points.append((rows[s].timestamps[i], v)) }
            }
            // With ORDER BY time DESC InfluxDB runs the transformation over the points newest first.
            if statement.descending { points.reverse() }
            for (t, v) in transform.apply(points) { out[t] = v }
        case let .call(name, args):
            var inner: [Int64: QueryValue] = [:]
            guard let first = args.first else { return }
            try transformOutputs(first, rows: rows, order: order, evaluator: evaluator, into: &inner)
            for (t, v) in inner { out[t] = ValueMath.math(name, [v] + args.dropFirst().map(Self.literal)) }
        case let .binary(op, l, r):
            var inner: [Int64: QueryValue] = [:]
            if Self.literal(r) != .null {
                try transformOutputs(l, rows: rows, order: order, evaluator: evaluator, into: &inner)
                for (t, v) in inner { out[t] = ValueMath.binary(op, v, Self.literal(r)) }
            } else {
                try transformOutputs(r, rows: rows, order: order, evaluator: evaluator, into: &inner)
                for (t, v) in inner { out[t] = ValueMath.binary(op, Self.literal(l), v) }
            }
        case let .paren(inner):
            try transformOutputs(inner, rows: rows, order: order, evaluator: evaluator, into: &out)
        default:
            throw QueryError("mixing aggregate and non-aggregate queries is not supported")
        }
    }

    static func literal(_ e: Expr) -> QueryValue {
        switch e {
        case .integer(let v): return .integer(v)
        case .number(let v): return .float(v)
        case .string(let s): return .string(s)
        case .boolean(let b): return .boolean(b)
        case .duration(let d): return .integer(d)
        case .paren(let inner): return literal(inner)
        default: return .null
        }
    }

    /// Each series' chunks as one run of rows, less the rows the WHERE clause's field
    /// conditions drop.
    private func filteredRows(_ series: [SeriesChunks], _ c: Context) throws(QueryError) -> [SeriesRows] {
        var rows: [SeriesRows] = []
        for s in series {
            let r = Self.concatenated(s, fields: c.fields, fieldTypes: c.plan.fieldTypes)
            rows.append(try c.evaluator.filtered(r, by: c.clause.rowFilter))
        }
        return rows
    }
}

/// How a raw column reads one series: plain field and tag references skip the evaluator.
enum ColumnReader {
    case column(ColumnData)
    case constant(QueryValue)
    case expression(Expr)

    /// The column's value at every row, or nil for an expression (evaluated per row).
    func materialized(_ count: Int) -> [QueryValue]? {
        switch self {
        case .column(let column): return (0..<count).map { column.queryValue(at: $0) }
        case .constant(let v): return Array(repeating: v, count: count)
        case .expression: return nil
        }
    }

    init(_ e: Expr, rows: SeriesRows, plan: SelectPlan) {
        guard case let .varRef(name, type) = e else {
            self = .expression(e)
            return
        }
        if plan.isField(name, type) {
            self = rows.columns[name].map(ColumnReader.column) ?? .constant(.null)
        } else if type == .field {
            self = .constant(.null)
        } else {
            self = .constant(rows.key.tagValue(name).map(QueryValue.string) ?? .null)
        }
    }
}
