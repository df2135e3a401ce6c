import StrataCore

final class CountReducer: Reducer {
    private var count = 0

    override func add(_ slice: ColumnSlice) {
        let valid = slice.column.valid
        var n = 0
        for i in slice.range where valid[i] { n += 1 }
        count += n
    }

    override func add(summary: BlockStats) { count += summary.count }

    override func add(summary i: Int, of column: SummaryStatsColumn) { count += column.count(at: i) }

    override func result() -> [ReducedPoint] {
        count == 0 ? [] : [ReducedPoint(time: 0, value: .integer(Int64(count)))]
    }
}

/// sum() and mean(): float columns sum as doubles; integer sums stay integers (wrapping, as
/// Go's int64 does) and unsigned stay unsigned.
final class SumReducer: Reducer {
    private let mean: Bool
    private var floatSum = 0.0
    private var intSum: Int64 = 0
    private var unsignedSum: UInt64 = 0
    private var type: FieldType?
    private var count = 0
    /// Floats are added to the total one by one rather than per slice (`makeReducer`).
    private let pointByPoint: Bool

    init(mean: Bool, pointByPoint: Bool = false) {
        self.mean = mean
        self.pointByPoint = pointByPoint
    }

    override func add(_ slice: ColumnSlice) {
        let c = slice.column
        let valid = c.valid
        type = c.type
        switch c.type {
        case .float where pointByPoint:
            let v = c.floats
            for i in slice.range where valid[i] { floatSum += v[i]; count += 1 }
        case .float:
            let v = c.floats
            var s = 0.0
            var n = 0
            for i in slice.range where valid[i] { s += v[i]; n += 1 }
            floatSum += s
            count += n
        case .integer:
            let v = c.integers
            for i in slice.range where valid[i] { intSum &+= v[i]; floatSum += Double(v[i]); count += 1 }
        case .unsigned:
            let v = c.unsigneds
            for i in slice.range where valid[i] { unsignedSum &+= v[i]; floatSum += Double(v[i]); count += 1 }
        case .boolean, .string:
            break
        }
    }

    override func add(summary: BlockStats) {
        count += summary.count
        add(sum: summary.sum)
    }

    override func add(summary i: Int, of column: SummaryStatsColumn) {
        count += column.count(at: i)
        add(sum: column.sum(at: i))
    }

    private func add(sum: FieldValue?) {
        switch sum {
        case .float(let s)?: floatSum += s; type = .float
        case .integer(let s)?: intSum &+= s; floatSum += Double(s); type = .integer
        case .unsigned(let s)?: unsignedSum &+= s; floatSum += Double(s); type = .unsigned
        default: break
        }
    }

    override func result() -> [ReducedPoint] {
        guard count > 0, let type else { return [] }
        if mean { return [ReducedPoint(time: 0, value: .float(floatSum / Double(count)))] }
        switch type {
        case .integer: return [ReducedPoint(time: 0, value: .integer(intSum))]
        case .unsigned: return [ReducedPoint(time: 0, value: .unsigned(unsignedSum))]
        default: return [ReducedPoint(time: 0, value: .float(floatSum))]
        }
    }
}

/// min, max, first, last: keeps one point. Ties follow InfluxDB: min/max keep the earlier
/// point; first/last at equal times keep the greater value.
final class SelectorReducer: Reducer {
    enum Kind { case min, max, first, last }
    private let kind: Kind
    private var best: ReducedPoint?

    init(_ kind: Kind) { self.kind = kind }

    private func better(_ t: Int64, _ v: QueryValue, than b: ReducedPoint) -> Bool {
        switch kind {
        case .min: return ValueOrder.less(v, b.value) || (v == b.value && t < b.time)
        case .max: return ValueOrder.less(b.value, v) || (v == b.value && t < b.time)
        case .first: return t < b.time || (t == b.time && ValueOrder.less(b.value, v))
        case .last: return t > b.time || (t == b.time && ValueOrder.less(b.value, v))
        }
    }

    private func offer(_ t: Int64, _ v: QueryValue, aux: @autoclosure () -> [QueryValue]) {
        if let b = best, !better(t, v, than: b) { return }
        best = ReducedPoint(time: t, value: v, aux: aux())
    }

    override func add(_ slice: ColumnSlice) {
        let c = slice.column
        let ts = slice.timestamps
        let valid = c.valid
        if c.type == .float, slice.aux == nil {
            addFloats(c.floats, valid, ts, slice.range)
            return
        }
        for i in slice.range where valid[i] {
            offer(ts[i], c.queryValue(at: i), aux: slice.aux?(i) ?? [])
        }
    }

    /// The hot path of `last(*)`-style queries: no boxing per row.
    private func addFloats(_ v: [Double], _ valid: [Bool], _ ts: [Int64], _ range: Range<Int>) {
        var bestRow = -1
        switch kind {
        case .first:
            if let i = range.first(where: { valid[$0] }) { bestRow = i }
        case .last:
            if let i = range.last(where: { valid[$0] }) { bestRow = i }
        case .min:
            var m = Double.infinity
            for i in range where valid[i] && (v[i] < m || bestRow < 0) { m = v[i]; bestRow = i }
        case .max:
            var m = -Double.infinity
            for i in range where valid[i] && (v[i] > m || bestRow < 0) { m = v[i]; bestRow = i }
        }
        if bestRow >= 0 { offer(ts[bestRow], .float(v[bestRow]), aux: []) }
    }

    override func add(summary: BlockStats) {
        switch kind {
        case .first: offer(summary.firstTime, summary.first.queryValue, aux: [])
        case .last: offer(summary.lastTime, summary.last.queryValue, aux: [])
        case .min:
            // Version 1 segments keep no time for the extreme; the executor decodes such a
            // block instead when the time is reported (SelectExecutor.feed).
            if let v = summary.min { offer(summary.minTime ?? Int64.max, v.queryValue, aux: []) }
        case .max:
            if let v = summary.max { offer(summary.maxTime ?? Int64.max, v.queryValue, aux: []) }
        }
    }

    override func result() -> [ReducedPoint] { best.map { [$0] } ?? [] }
}

/// spread(): max − min, integer for integer columns.
final class SpreadReducer: Reducer {
    private var lo: QueryValue?
    private var hi: QueryValue?

    private func offer(_ v: QueryValue) {
        if lo == nil || ValueOrder.less(v, lo!) { lo = v }
        if hi == nil || ValueOrder.less(hi!, v) { hi = v }
    }

    override func add(_ slice: ColumnSlice) {
        for i in slice.range where slice.column.valid[i] { offer(slice.column.queryValue(at: i)) }
    }

    override func add(summary: BlockStats) {
        if let lo = summary.min { offer(lo.queryValue) }
        if let hi = summary.max { offer(hi.queryValue) }
    }

    override func result() -> [ReducedPoint] {
        guard let lo, let hi else { return [] }
        return [ReducedPoint(time: 0, value: ValueMath.binary(.subtract, hi, lo))]
    }
}
