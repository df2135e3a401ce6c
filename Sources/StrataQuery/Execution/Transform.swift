/// Functions over a sequence of points rather than a bucket: derivative, difference,
/// moving_average, cumulative_sum, elapsed. They take the raw points of a group (no GROUP BY
/// time) or an aggregate's values per bucket, nulls left out, in time order.
enum Transform: Sendable {
    case derivative(unit: Int64, nonNegative: Bool)
    case difference(nonNegative: Bool)
    case movingAverage(Int)
    case cumulativeSum
    case elapsed(unit: Int64)

    static let names: Set<String> = [
        "derivative", "non_negative_derivative", "difference", "non_negative_difference",
        "moving_average", "cumulative_sum", "elapsed",
    ]

    /// `args` are the call's arguments after the first; `interval` the GROUP BY time interval (0 if none).
    static func make(_ name: String, _ args: [Expr], interval: Int64) throws(QueryError) -> Transform {
        func duration(_ fallback: Int64) throws(QueryError) -> Int64 {
            guard let arg = args.first else { return fallback }
            guard case .duration(let d) = arg else {
                throw QueryError("second argument to \(name) must be a duration, got \(ExprText.render(arg))")
            }
            guard d > 0 else { throw QueryError("duration argument must be positive, got \(ExprText.render(arg))") }
            return d
        }
        switch name {
        case "derivative", "non_negative_derivative":
            guard args.count <= 1 else {
                throw QueryError("invalid number of arguments for \(name), expected at least 1 but no more than 2, got \(args.count + 1)")
            }
            return .derivative(unit: try duration(interval > 0 ? interval : 1_000_000_000), nonNegative: name.hasPrefix("non"))
        case "difference", "non_negative_difference":
            guard args.isEmpty else { throw QueryError("invalid number of arguments for \(name), expected 1, got \(args.count + 1)") }
            return .difference(nonNegative: name.hasPrefix("non"))
        case "cumulative_sum":
            guard args.isEmpty else { throw QueryError("invalid number of arguments for cumulative_sum, expected 1, got \(args.count + 1)") }
            return .cumulativeSum
        case "elapsed":
            guard args.count <= 1 else {
                throw QueryError("invalid number of arguments for elapsed, expected at least 1 but no more than 2, got \(args.count + 1)")
            }
            return .elapsed(unit: try duration(1))
        case "moving_average":
            guard args.count == 1 else { throw QueryError("invalid number of arguments for moving_average, expected 2, got \(args.count + 1)") }
            guard case .integer(let n) = args[0] else {
                throw QueryError("second argument for moving_average must be an integer, got \(ExprText.render(args[0]))")
            }
            guard n > 1 else { throw QueryError("moving_average window must be greater than 1, got \(n)") }
            return .movingAverage(Int(n))
        default:
            throw QueryError("undefined function \(name)()")
        }
    }

    func apply(_ points: [(Int64, QueryValue)]) -> [(Int64, QueryValue)] {
        var out: [(Int64, QueryValue)] = []
        switch self {
        case let .derivative(unit, nonNegative):
            for (a, b) in zip(points, points.dropFirst()) {
                guard b.0 != a.0, let x = ValueMath.asDouble(a.1), let y = ValueMath.asDouble(b.1) else { continue }
                let d = (y - x) / (Double(b.0 - a.0) / Double(unit))
                if nonNegative && d < 0 { continue }
                out.append((b.0, .float(d)))
            }
        case .difference(let nonNegative):
            for (a, b) in zip(points, points.dropFirst()) {
                let d = ValueMath.binary(.subtract, b.1, a.1)
                if nonNegative, let x = ValueMath.asDouble(d), x < 0 { continue }
                out.append((b.0, d))
            }
        case .movingAverage(let n):
            guard points.count >= n else { return [] }
            var sum = 0.0
            let xs = points.map { ValueMath.asDouble($0.1) ?? 0 }
            for i in 0..<points.count {
                sum += xs[i]
                if i >= n { sum -= xs[i - n] }
                if i >= n - 1 { out.append((points[i].0, .float(sum / Double(n)))) }
            }
        case .cumulativeSum:
            var acc: QueryValue?
            for p in points {
                acc = acc.map { ValueMath.binary(.add, $0, p.1) } ?? p.1
                out.append((p.0, acc!))
            }
        case .elapsed(let unit):
            for (a, b) in zip(points, points.dropFirst()) {
                out.append((b.0, .integer((b.0 - a.0) / unit)))
            }
        }
        return out
    }
}
