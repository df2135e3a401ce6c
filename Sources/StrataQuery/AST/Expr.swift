/// An InfluxQL expression: field and tag references, literals, calls and operators.
/// The parser folds a leading `-` on a number literal into the literal and turns `-expr`
/// into `-1 * expr`, as InfluxDB does, so there is no unary node.
public indirect enum Expr: Sendable, Equatable {
    /// A field or tag name, with an optional `::field` / `::tag` / `::float`… cast.
    case varRef(String, VarRefType?)
    /// `name(args…)`: aggregates, selectors, transformations, math, `now()`, `time()` only
    /// inside GROUP BY.
    case call(String, [Expr])
    case binary(BinaryOperator, Expr, Expr)
    case paren(Expr)
    case integer(Int64)
    case number(Double)
    case string(String)
    case boolean(Bool)
    /// A duration literal (`1h`, `90s`, `1h30m`), in nanoseconds.
    case duration(Int64)
    /// `/pattern/`, as written (the executor compiles it).
    case regex(String)
    /// `*`, `*::field`, `*::tag`.
    case wildcard(WildcardKind)
}

public enum VarRefType: String, Sendable, Equatable {
    case field, tag, float, integer, unsigned, string, boolean
}

public enum WildcardKind: Sendable, Equatable {
    case all, fields, tags
}

public enum BinaryOperator: String, Sendable, Equatable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case bitwiseAnd = "&", bitwiseOr = "|", bitwiseXor = "^"
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case matches = "=~", notMatches = "!~"
    case and = "AND", or = "OR"

    /// InfluxQL precedence, higher binds tighter: OR 1, AND 2, comparisons 4, + - | ^ 5, * / % & 6.
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .matches, .notMatches: return 4
        case .add, .subtract, .bitwiseOr, .bitwiseXor: return 5
        case .multiply, .divide, .modulo, .bitwiseAnd: return 6
        }
    }
}
