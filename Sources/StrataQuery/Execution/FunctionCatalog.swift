import StrataCore

/// What InfluxQL's functions are, for planning: which reduce a bucket, which are selectors
/// (return a real point, so its time), which transform a sequence, which are math.
enum FunctionCatalog {
    static let aggregates: Set<String> = [
        "count", "sum", "mean", "median", "mode", "spread", "stddev", "min", "max", "first", "last",
        "percentile", "distinct", "integral", "top", "bottom", "sample",
    ]
    static let selectors: Set<String> = ["min", "max", "first", "last", "percentile", "top", "bottom", "sample"]
    /// Selectors that return several points a bucket, each with its own time.
    static let multiPoint: Set<String> = ["top", "bottom", "sample"]
    /// Functions whose every argument type works; the rest take numbers only.
    static let anyType: Set<String> = ["count", "first", "last", "distinct", "mode", "sample"]
    static let notSupported: Set<String> = [
        "holt_winters", "holt_winters_with_fit", "exponential_moving_average",
        "double_exponential_moving_average", "triple_exponential_moving_average", "relative_strength_index",
        "triple_exponential_derivative", "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average",
        "chande_momentum_oscillator", "count_hll", "sum_hll",
    ]

    static func accepts(_ function: String, _ type: FieldType) -> Bool {
        if anyType.contains(function) { return true }
        switch type {
        case .float, .integer, .unsigned: return true
        case .boolean, .string: return false
        }
    }

    static func classify(_ name: String) throws(QueryError) -> Kind {
        if aggregates.contains(name) { return .aggregate }
        if Transform.names.contains(name) { return .transform }
        if ValueMath.mathFunctions.contains(name) { return .math }
        if notSupported.contains(name) { throw QueryError("function \(name)() is not supported by Strata yet") }
        throw QueryError("undefined function \(name)()")
    }

    enum Kind { case aggregate, transform, math }
}

/// One aggregate call of a query, reduced per bucket: `mean(battery)`, `percentile(x, 90)`,
/// `top(x, device_id, 3)`, `count(distinct(x))`.
struct AggregateCall: Equatable, Sendable {
    var function: String
    var field: String
    /// Extra literal arguments as written (percentile's rank, top's count, integral's unit).
    var args: [Expr]
    /// `top(x, tag1, tag2, …, n)`: the tags; the best point of each combination of their
    /// values competes.
    var tags: [String] = []

    var summarizable: Bool {
        ["count", "sum", "mean", "min", "max", "first", "last", "spread"].contains(function)
    }

    /// The stats its reducer folds from a summary (`Reducer.add(summary:)`); the count
    /// always comes.
    var summaryParts: SummaryParts {
        switch function {
        case "count": []
        case "sum", "mean": .sum
        case "min": .min
        case "max": .max
        case "spread": [.min, .max]
        case "first": .first
        case "last": .last
        default: .all
        }
    }

    /// `pointByPoint`: float sums add each point in turn, as InfluxDB sums a subquery's
    /// points; otherwise each slice is summed apart first, as block summaries and tiers
    /// hold their sums, so that answers do not depend on which of them was read.
    func makeReducer(auxTagIndexes: [Int], pointByPoint: Bool = false) throws(QueryError) -> Reducer {
        switch function {
        case "count": return CountReducer()
        case "countDistinct": return CollectingReducer(.countDistinct)
        case "sum": return SumReducer(mean: false, pointByPoint: pointByPoint)
        case "mean": return SumReducer(mean: true, pointByPoint: pointByPoint)
        case "min": return SelectorReducer(.min)
        case "max": return SelectorReducer(.max)
        case "first": return SelectorReducer(.first)
        case "last": return SelectorReducer(.last)
        case "spread": return SpreadReducer()
        case "median": return CollectingReducer(.median)
        case "mode": return CollectingReducer(.mode)
        case "stddev": return CollectingReducer(.stddev)
        case "distinct": return CollectingReducer(.distinct)
        case "percentile":
            guard let rank = args.first.flatMap(Self.number) else { throw QueryError("expected float argument in percentile()") }
            return CollectingReducer(.percentile(rank))
        case "integral":
            var unit: Int64 = 1_000_000_000
            if let arg = args.first {
                guard case .duration(let d) = arg, d > 0 else { throw QueryError("second argument must be a duration") }
                unit = d
            }
            return CollectingReducer(.integral(unit: unit))
        case "sample":
            guard args.count == 1, case .integer(let n) = args[0] else {
                throw QueryError("invalid number of arguments for sample, expected 2, got \(args.count + 1)")
            }
            guard n > 0 else { throw QueryError("sample window must be greater than 1, got \(n)") }
            return SampleReducer(n: Int(n))
        case "top", "bottom":
            guard case .integer(let n)? = args.last, n > 0 else {
                throw QueryError("limit (\(args.last.map(ExprText.render) ?? "")) in \(function) function must be at least 1")
            }
            return CollectingReducer(function == "top" ? .top(Int(n), tagIndexes: auxTagIndexes) : .bottom(Int(n), tagIndexes: auxTagIndexes))
        default:
            throw QueryError("undefined function \(function)()")
        }
    }

    static func number(_ e: Expr) -> Double? {
        switch e {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}
