import Foundation
import StrataCore

/// Aggregates that need every value of the bucket: median, mode, stddev, percentile,
/// distinct, count(distinct), integral, top and bottom.
final class CollectingReducer: Reducer {
    enum Kind {
        case median, mode, stddev, distinct, countDistinct
        case percentile(Double)
        case integral(unit: Int64)
        case top(Int, tagIndexes: [Int]), bottom(Int, tagIndexes: [Int])
    }

    private let kind: Kind
    private var points: [ReducedPoint] = []

    init(_ kind: Kind) { self.kind = kind }

    override func add(_ slice: ColumnSlice) {
        let c = slice.column
        for i in slice.range where c.valid[i] {
            points.append(ReducedPoint(time: slice.timestamps[i], value: c.queryValue(at: i), aux: slice.aux?(i) ?? []))
        }
    }

    override func result() -> [ReducedPoint] {
        guard !points.isEmpty else { return [] }
        switch kind {
        case .median: return median()
        case .mode: return mode()
        case .stddev: return stddev()
        case .distinct: return distinctValues().map { ReducedPoint(time: 0, value: $0) }
        case .countDistinct: return [ReducedPoint(time: 0, value: .integer(Int64(distinctValues().count)))]
        case .percentile(let p): return percentile(p)
        case .integral(let unit): return integral(unit: unit)
        case let .top(n, tagIndexes): return topBottom(n, tagIndexes: tagIndexes, top: true)
        case let .bottom(n, tagIndexes): return topBottom(n, tagIndexes: tagIndexes, top: false)
        }
    }

    private func numbers() -> [Double] { points.compactMap { ValueMath.asDouble($0.value) } }

    private func median() -> [ReducedPoint] {
        let sorted = numbers().sorted()
        guard !sorted.isEmpty else { return [] }
        let mid = sorted.count / 2
        let value = sorted.count % 2 == 1 ? sorted[mid] : sorted[mid - 1] + (sorted[mid] - sorted[mid - 1]) / 2
        return [ReducedPoint(time: 0, value: .float(value))]
    }

    /// The most frequent value; ties go to the smallest value.
    private func mode() -> [ReducedPoint] {
        var counts: [QueryValue: Int] = [:]
        for p in points { counts[p.value, default: 0] += 1 }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : ValueOrder.less(b.key, a.key) }
        return best.map { [ReducedPoint(time: 0, value: $0.key)] } ?? []
    }

    /// Sample standard deviation; a single value has none (InfluxDB returns no point).
    private func stddev() -> [ReducedPoint] {
        let xs = numbers()
        guard xs.count > 1 else { return xs.count == 1 ? [ReducedPoint(time: 0, value: .null)] : [] }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        return [ReducedPoint(time: 0, value: .float(variance.squareRoot()))]
    }

    /// Distinct values in the order of their first occurrence in time, as InfluxDB emits them.
    private func distinctValues() -> [QueryValue] {
        var firstSeen: [QueryValue: Int64] = [:]
        for p in points {
            if let t = firstSeen[p.value], t <= p.time { continue }
            firstSeen[p.value] = p.time
        }
        return firstSeen.sorted { $0.value != $1.value ? $0.value < $1.value : ValueOrder.less($0.key, $1.key) }.map(\.key)
    }

    /// The value at rank ⌊n·p/100 + 0.5⌋ − 1 of the values sorted ascending (InfluxDB's rule),
    /// returned with its point's time.
    private func percentile(_ p: Double) -> [ReducedPoint] {
        let sorted = points.sorted { ValueOrder.less($0.value, $1.value) || ($0.value == $1.value && $0.time < $1.time) }
        let i = Int((Double(sorted.count) * p / 100 + 0.5).rounded(.down)) - 1
        guard i >= 0 else { return [] }
        return [sorted[min(i, sorted.count - 1)]]
    }

    private func integral(unit: Int64) -> [ReducedPoint] {
        let sorted = points.sorted { $0.time < $1.time }
        var area = 0.0
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            guard let x = ValueMath.asDouble(a.value), let y = ValueMath.asDouble(b.value) else { continue }
            area += (x + y) / 2 * Double(b.time - a.time) / Double(unit)
        }
        return [ReducedPoint(time: 0, value: .float(area))]
    }

    /// The n greatest (or least) values; with tags, first the best point of each combination
    /// of their values. Ties prefer the earlier point; the result is ordered by time, as
    /// InfluxDB orders it.
    private func topBottom(_ n: Int, tagIndexes: [Int], top: Bool) -> [ReducedPoint] {
        func better(_ a: ReducedPoint, _ b: ReducedPoint) -> Bool {
            if a.value != b.value { return top ? ValueOrder.less(b.value, a.value) : ValueOrder.less(a.value, b.value) }
            return a.time < b.time
        }
        var candidates = points
        if !tagIndexes.isEmpty {
            var bestPerTag: [[QueryValue]: ReducedPoint] = [:]
            for p in points {
                let tags = tagIndexes.map { $0 < p.aux.count ? p.aux[$0] : .null }
                if let b = bestPerTag[tags], !better(p, b) { continue }
                bestPerTag[tags] = p
            }
            candidates = Array(bestPerTag.values)
        }
        let chosen = candidates.sorted(by: better).prefix(n)
        return chosen.sorted { $0.time < $1.time || ($0.time == $1.time && better($0, $1)) }
    }
}

/// sample(x, n): n points of the bucket chosen uniformly at random, in time order, as
/// InfluxDB's sample() answers. Reservoir sampling: it holds n points, not the bucket.
final class SampleReducer: Reducer {
    private let n: Int
    private var kept: [ReducedPoint] = []
    private var seen = 0
    private var generator = SystemRandomNumberGenerator()

    init(n: Int) {
        self.n = n
        kept.reserveCapacity(min(n, 1_024))
    }

    override func add(_ slice: ColumnSlice) {
        let c = slice.column
        for i in slice.range where c.valid[i] {
            seen += 1
            let slot = kept.count < n ? kept.count : Int.random(in: 0..<seen, using: &generator)
            guard slot < n else { continue }
            let p = ReducedPoint(time: slice.timestamps[i], value: c.queryValue(at: i), aux: slice.aux?(i) ?? [])
            if slot == kept.count { kept.append(p) } else { kept[slot] = p }
        }
    }

    override func result() -> [ReducedPoint] {
        kept.sorted { $0.time < $1.time }
    }
}
