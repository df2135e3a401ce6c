import StrataCore

/// A WHERE clause taken apart the way the storage engine can use it: a time range for block
/// selection, a tag predicate for the series index, and what is left (field predicates, or
/// tag predicates tangled with them by OR), checked row by row.
struct WhereClause: Sendable {
    /// Inclusive bounds; nil when the query gives none.
    var timeMin: Int64?
    var timeMax: Int64?
    var tags: TagPredicate = .all
    var rowFilter: Expr?

    /// InfluxDB's own limits of representable time (models.MinNanoTime / MaxNanoTime).
    static let minTime = Int64.min + 2
    static let maxTime = Int64.max - 1

    var isEmptyRange: Bool {
        if let lo = timeMin, let hi = timeMax { return lo > hi }
        return false
    }

    /// Splits `condition`. Identifiers in `fields` are fields; any other is a tag (InfluxQL's rule).
    /// `zone`: the SELECT's tz(), in whose wall-clock time literals without an offset are read.
    init(_ condition: Expr?, fields: Set<String>, now: Int64, zone: QueryZone? = nil) throws(QueryError) {
        guard let condition else { return }
        var rest: [Expr] = []
        var tagParts: [TagPredicate] = []
        for conjunct in Self.conjuncts(condition) {
            if Self.mentionsTime(conjunct) {
                try narrowTime(conjunct, now: now, zone: zone)
            } else if let predicate = try Self.tagPredicate(conjunct, fields: fields) {
                tagParts.append(predicate)
            } else {
                rest.append(conjunct)
            }
        }
        switch tagParts.count {
        case 0: tags = .all
        case 1: tags = tagParts[0]
        default: tags = .and(tagParts)
        }
        // Balanced past 16 terms, as the parser builds them: a long chain must not become a
        // tree as deep as it is long (every Expr walker recurses).
        rowFilter = Expr.joined(rest, by: .and)
    }

    static func conjuncts(_ e: Expr) -> [Expr] {
        switch e {
        case let .binary(.and, l, r): return conjuncts(l) + conjuncts(r)
        case let .paren(inner): return conjuncts(inner)
        default: return [e]
        }
    }

    static func mentionsTime(_ e: Expr) -> Bool {
        switch e {
        case let .varRef(name, _): return name.lowercased() == "time"
        case let .binary(_, l, r): return mentionsTime(l) || mentionsTime(r)
        case let .paren(inner): return mentionsTime(inner)
        case let .call(_, args): return args.contains(where: mentionsTime)
        default: return false
        }
    }

    private mutating func narrowTime(_ e: Expr, now: Int64, zone: QueryZone?) throws(QueryError) {
        guard case let .binary(op, lhs, rhs) = e else {
            throw QueryError("invalid time condition: \(ExprText.render(e)) (time may only be compared, and only joined by AND)")
        }
        let flipped: BinaryOperator
        let value: Int64
        if Self.isTimeRef(lhs) {
            flipped = op
            value = try Self.timeValue(rhs, now: now, zone: zone)
        } else if Self.isTimeRef(rhs) {
            switch op {
            case .less: flipped = .greater
            case .lessOrEqual: flipped = .greaterOrEqual
            case .greater: flipped = .less
            case .greaterOrEqual: flipped = .lessOrEqual
            default: flipped = op
            }
            value = try Self.timeValue(lhs, now: now, zone: zone)
        } else {
            throw QueryError("invalid time condition: \(ExprText.render(e)) (time may only be compared, and only joined by AND)")
        }
        switch flipped {
        case .greater: raiseMin(value == Int64.max ? value : value + 1)
        case .greaterOrEqual: raiseMin(value)
        case .less: lowerMax(value == Int64.min ? value : value - 1)
        case .lessOrEqual: lowerMax(value)
        case .equal:
            raiseMin(value)
            lowerMax(value)
        default:
            throw QueryError("invalid time comparison operator: \(op.rawValue)")
        }
    }

    private mutating func raiseMin(_ v: Int64) { timeMin = Swift.max(timeMin ?? Int64.min, v) }
    private mutating func lowerMax(_ v: Int64) { timeMax = Swift.min(timeMax ?? Int64.max, v) }

    private static func isTimeRef(_ e: Expr) -> Bool {
        if case let .varRef(name, _) = e { return name.lowercased() == "time" }
        if case let .paren(inner) = e { return isTimeRef(inner) }
        return false
    }

    /// A time operand: `now()`, RFC 3339 strings, integers (ns), durations (ns since the
    /// epoch, e.g. `1704067200s`), and + / - between them.
    static func timeValue(_ e: Expr, now: Int64, zone: QueryZone? = nil) throws(QueryError) -> Int64 {
        switch e {
        case .call(let name, let args) where name.lowercased() == "now" && args.isEmpty:
            return now
        case .integer(let v), .duration(let v):
            return v
        case .number(let v):
            return Int64(v)
        case .string(let s):
            guard let t = TimeLiteral.parse(s, zone: zone) else { throw QueryError("invalid time literal '\(s)'") }
            return t
        case .paren(let inner):
            return try timeValue(inner, now: now, zone: zone)
        case let .binary(.add, l, r):
            return try timeValue(l, now: now, zone: zone) &+ timeValue(r, now: now, zone: zone)
        case let .binary(.subtract, l, r):
            return try timeValue(l, now: now, zone: zone) &- timeValue(r, now: now, zone: zone)
        default:
            throw QueryError("invalid time value: \(ExprText.render(e))")
        }
    }

    /// The predicate when `e` involves tags only (compared with strings or regexes), else nil.
    static func tagPredicate(_ e: Expr, fields: Set<String>) throws(QueryError) -> TagPredicate? {
        switch e {
        case .paren(let inner):
            return try tagPredicate(inner, fields: fields)
        case let .binary(.and, l, r):
            guard let a = try tagPredicate(l, fields: fields), let b = try tagPredicate(r, fields: fields) else { return nil }
            return .and([a, b])
        case let .binary(.or, l, r):
            guard let a = try tagPredicate(l, fields: fields), let b = try tagPredicate(r, fields: fields) else { return nil }
            return .or([a, b])
        case let .binary(op, l, r):
            guard let (tag, rhs) = tagOperand(l, r, fields: fields) ?? tagOperand(r, l, fields: fields) else { return nil }
            switch (op, rhs) {
            case (.equal, .string(let v)): return .equals(tag, v)
            case (.notEqual, .string(let v)): return .notEquals(tag, v)
            case (.matches, .regex(let p)):
                let re = try CompiledRegex(p)
                return .matches(tag, { re.matches($0) })
            case (.notMatches, .regex(let p)):
                let re = try CompiledRegex(p)
                return .not(.matches(tag, { re.matches($0) }))
            default: return nil
            }
        default:
            return nil
        }
    }

    private static func tagOperand(_ a: Expr, _ b: Expr, fields: Set<String>) -> (String, Expr)? {
        guard case let .varRef(name, type) = a else { return nil }
        if type == .tag { return (name, b) }
        guard type == nil, !fields.contains(name) else { return nil }
        switch b {
        case .string, .regex: return (name, b)
        default: return nil
        }
    }
}
