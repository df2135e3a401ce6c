import Foundation

/// Arithmetic, comparison and math functions over query values, with InfluxQL's rules:
/// null in, null out; integer with integer stays integer (except division); mixed numbers
/// are floats; division by zero gives 0, as InfluxDB 1.x does.
enum ValueMath {
    static func asDouble(_ v: QueryValue) -> Double? {
        switch v {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        case .unsigned(let u): return Double(u)
        default: return nil
        }
    }

    static func binary(_ op: BinaryOperator, _ a: QueryValue, _ b: QueryValue) -> QueryValue {
        if a == .null || b == .null {
            return .null
        }
        switch op {
        case .and, .or:
            guard case .boolean(let x) = a, case .boolean(let y) = b else { return .null }
            return .boolean(op == .and ? (x && y) : (x || y))
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return compare(op, a, b).map(QueryValue.boolean) ?? .boolean(op == .notEqual)
        case .matches, .notMatches:
            return .null
        default:
            return arithmetic(op, a, b)
        }
    }

    private static func arithmetic(_ op: BinaryOperator, _ a: QueryValue, _ b: QueryValue) -> QueryValue {
        if case .integer(let x) = a, case .integer(let y) = b {
            switch op {
            case .add: return .integer(x &+ y)
            case .subtract: return .integer(x &- y)
            case .multiply: return .integer(x &* y)
            case .divide: return y == 0 ? .float(0) : .float(Double(x) / Double(y))
            case .modulo: return y == 0 ? .integer(0) : .integer(x % y)
            case .bitwiseAnd: return .integer(x & y)
            case .bitwiseOr: return .integer(x | y)
            case .bitwiseXor: return .integer(x ^ y)
            default: return .null
            }
        }
        if case .unsigned(let x) = a, case .unsigned(let y) = b {
            switch op {
            case .add: return .unsigned(x &+ y)
            case .subtract: return .unsigned(x &- y)
            case .multiply: return .unsigned(x &* y)
            case .divide: return y == 0 ? .float(0) : .float(Double(x) / Double(y))
            case .modulo: return y == 0 ? .unsigned(0) : .unsigned(x % y)
            case .bitwiseAnd: return .unsigned(x & y)
            case .bitwiseOr: return .unsigned(x | y)
            case .bitwiseXor: return .unsigned(x ^ y)
            default: return .null
            }
        }
        if case .boolean(let x) = a, case .boolean(let y) = b {
            switch op {
            case .bitwiseAnd: return .boolean(x && y)
            case .bitwiseOr: return .boolean(x || y)
            case .bitwiseXor: return .boolean(x != y)
            default: return .null
            }
        }
        guard let x = asDouble(a), let y = asDouble(b) else { return .null }
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide: return y == 0 ? .float(0) : .float(x / y)
        case .modulo: return y == 0 ? .float(0) : .float(fmod(x, y))
        default: return .null
        }
    }

    /// nil when the two values cannot be compared (different kinds).
    static func compare(_ op: BinaryOperator, _ a: QueryValue, _ b: QueryValue) -> Bool? {
        let order: Int
        switch (a, b) {
        case let (.string(x), .string(y)): order = x == y ? 0 : (x < y ? -1 : 1)
        case let (.boolean(x), .boolean(y)):
            guard op == .equal || op == .notEqual else { return nil }
            order = x == y ? 0 : 1
        case let (.integer(x), .integer(y)): order = x == y ? 0 : (x < y ? -1 : 1)
        case let (.unsigned(x), .unsigned(y)): order = x == y ? 0 : (x < y ? -1 : 1)
        case let (.time(x), .time(y)): order = x == y ? 0 : (x < y ? -1 : 1)
        default:
            guard let x = asDouble(a), let y = asDouble(b) else { return nil }
            order = x == y ? 0 : (x < y ? -1 : 1)
        }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return nil
        }
    }

    static let mathFunctions: Set<String> = [
        "abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "ln", "log", "log2", "log10",
        "sqrt", "pow", "floor", "ceil", "round",
    ]

    /// A math function's value; a result outside the function's domain (NaN) is null, as
    /// InfluxDB answers `sqrt(-1)`.
    static func math(_ name: String, _ args: [QueryValue]) -> QueryValue {
        let v = rawMath(name, args)
        if case .float(let d) = v, d.isNaN { return .null }
        return v
    }

    private static func rawMath(_ name: String, _ args: [QueryValue]) -> QueryValue {
        guard let first = args.first, first != .null else { return .null }
        switch name {
        case "abs":
            switch first {
            case .integer(let i): return .integer(i == Int64.min ? i : Swift.abs(i))
            case .unsigned: return first
            default: return asDouble(first).map { .float(Swift.abs($0)) } ?? .null
            }
        case "floor", "ceil", "round":
            switch first {
            case .integer, .unsigned: return first
            default:
                guard let x = asDouble(first) else { return .null }
                switch name {
                case "floor": return .float(x.rounded(.down))
                case "ceil": return .float(x.rounded(.up))
                default: return .float(x.rounded(.toNearestOrAwayFromZero))
                }
            }
        case "atan2", "pow", "log":
            guard args.count == 2, let x = asDouble(first), let y = asDouble(args[1]) else { return .null }
            switch name {
            case "atan2": return .float(Foundation.atan2(x, y))
            case "pow": return .float(Foundation.pow(x, y))
            default: return .float(Foundation.log(x) / Foundation.log(y))
            }
        default:
            guard let x = asDouble(first) else { return .null }
            let f: (Double) -> Double
            switch name {
            case "sin": f = Foundation.sin
            case "cos": f = Foundation.cos
            case "tan": f = Foundation.tan
            case "asin": f = Foundation.asin
            case "acos": f = Foundation.acos
            case "atan": f = Foundation.atan
            case "exp": f = Foundation.exp
            case "ln": f = Foundation.log
            case "log2": f = Foundation.log2
            case "log10": f = Foundation.log10
            case "sqrt": f = Foundation.sqrt
            default: return .null
            }
            return .float(f(x))
        }
    }
}
