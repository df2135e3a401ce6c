/// SELECT and its clauses, in InfluxQL's fixed order: fields, FROM, WHERE, GROUP BY, fill(),
/// ORDER BY, LIMIT, OFFSET, SLIMIT, SOFFSET, tz().
extension Parser {
    /// Parses what follows the SELECT keyword.
    mutating func parseSelectStatement() throws(QueryParseError) -> SelectStatement {
        let fields = try parseFields()
        if peek().isKeyword(.into) { throw Self.unsupported("SELECT INTO") }
        try expect(.from)
        var statement = SelectStatement(fields: fields, sources: try parseSources())
        statement.condition = try parseCondition()
        statement.dimensions = try parseDimensions()
        statement.fill = try parseFill()
        statement.descending = try parseOrderBy()
        statement.limit = try parseOptionalInt(after: .limit)
        statement.offset = try parseOptionalInt(after: .offset)
        statement.seriesLimit = try parseOptionalInt(after: .slimit)
        statement.seriesOffset = try parseOptionalInt(after: .soffset)
        if peek().kind == .ident && peek().text.lowercased() == "tz" {
            next()
            statement.zone = try parseTimeZone()
        }
        return statement
    }

    /// After `tz`: `('<IANA zone>')`. An unknown zone is refused with Go's words.
    private mutating func parseTimeZone() throws(QueryParseError) -> QueryZone {
        _ = try expect(.lparen)
        let name = next()
        guard name.kind == .string else { throw Self.found(name, ["string"]) }
        _ = try expect(.rparen)
        guard let zone = QueryZone(name.text) else { throw QueryParseError("unknown time zone \(name.text)") }
        return zone
    }

    private mutating func parseFields() throws(QueryParseError) -> [SelectField] {
        var fields: [SelectField] = []
        repeat {
            fields.append(try parseField())
        } while accept(.comma) != nil
        return fields
    }

    private mutating func parseField() throws(QueryParseError) -> SelectField {
        let start = peek()
        let expr: Expr
        if let pattern = try scanRegex() {
            expr = .regex(pattern)
        } else {
            expr = try parseExpr()
            if let op = Self.firstConditionOperator(in: expr) {
                throw QueryParseError("invalid operator \(op.rawValue) in SELECT clause at line \(start.line), char \(start.char); operator is intended for WHERE clause")
            }
        }
        var alias: String?
        if accept(.as) {
            alias = try parseIdent()
        }
        return SelectField(expr, alias: alias)
    }

    /// The first comparison or logical operator in `expr`, outermost first: those yield booleans,
    /// which InfluxQL does not allow as selected values.
    private static func firstConditionOperator(in expr: Expr) -> BinaryOperator? {
        switch expr {
        case .binary(let op, let lhs, let rhs):
            if op.precedence <= BinaryOperator.equal.precedence { return op }
            return firstConditionOperator(in: lhs) ?? firstConditionOperator(in: rhs)
        case .paren(let inner):
            return firstConditionOperator(in: inner)
        case .call(_, let args):
            for arg in args {
                if let op = firstConditionOperator(in: arg) { return op }
            }
            return nil
        default:
            return nil
        }
    }

    mutating func parseCondition() throws(QueryParseError) -> Expr? {
        guard accept(.where) else { return nil }
        return try parseExpr()
    }

    // MARK: GROUP BY

    /// GROUP BY items. InfluxDB parses any expression here and rejects the wrong ones when it
    /// compiles the query; the checks and their wording are done here instead.
    private mutating func parseDimensions() throws(QueryParseError) -> [Dimension] {
        guard accept(.group) else { return [] }
        try expect(.by)
        var dimensions: [Dimension] = []
        var hasTime = false
        repeat {
            let dimension = try parseDimension()
            if case .time = dimension {
                if hasTime { throw QueryParseError("multiple time dimensions not allowed") }
                hasTime = true
            }
            dimensions.append(dimension)
        } while accept(.comma) != nil
        return dimensions
    }

    private mutating func parseDimension() throws(QueryParseError) -> Dimension {
        if let pattern = try scanRegex() { return .regex(pattern) }
        switch try parseExpr() {
        case .varRef(let name, _):
            if name.lowercased() == "time" {
                throw QueryParseError("time() is a function and expects at least one argument")
            }
            return .tag(name)
        case .wildcard:
            return .wildcard
        case .call(let name, let args):
            guard name == "time" else { throw QueryParseError("only time() calls allowed in dimensions") }
            guard args.count == 1 || args.count == 2 else {
                throw QueryParseError("time dimension expected 1 or 2 arguments")
            }
            guard case .duration(let interval) = args[0] else {
                throw QueryParseError("time dimension must have duration argument")
            }
            guard args.count == 2 else { return .time(interval: interval, offset: 0) }
            switch args[1] {
            case .duration(let offset):
                return .time(interval: interval, offset: offset)
            case .call("now", let nowArgs):
                if !nowArgs.isEmpty {
                    throw QueryParseError("time dimension offset now() function requires no arguments")
                }
                throw Self.unsupported("time dimension offset now()")
            case .call:
                throw QueryParseError("time dimension offset function must be now()")
            default:
                throw QueryParseError("time dimension offset must be duration or now()")
            }
        default:
            throw QueryParseError("only time and tag dimensions allowed")
        }
    }

    // MARK: fill, ORDER BY

    private mutating func parseFill() throws(QueryParseError) -> Fill {
        guard peek().kind == .ident && peek().text.lowercased() == "fill" else { return .null }
        guard case .call(_, let args) = try parseExpr() else {
            throw QueryParseError("fill must be a function call")
        }
        guard args.count == 1 else {
            throw QueryParseError("fill requires an argument, e.g.: 0, null, none, previous, linear")
        }
        switch args[0] {
        case .varRef("null", nil): return .null
        case .varRef("none", nil): return .none
        case .varRef("previous", nil): return .previous
        case .varRef("linear", nil): return .linear
        case .integer(let value): return .integer(value)
        case .number(let value): return .number(value)
        default: throw QueryParseError("expected number argument in fill()")
        }
    }

    /// ORDER BY, which InfluxQL allows only on time; returns whether it is descending.
    mutating func parseOrderBy() throws(QueryParseError) -> Bool {
        guard accept(.order) else { return false }
        try expect(.by)
        var descending = false
        var count = 1
        let first = next()
        switch first.kind {
        case .keyword(.asc):
            break
        case .keyword(.desc):
            descending = true
        case .ident:
            descending = parseSortDirection()
            // Compared as written: InfluxDB rejects `ORDER BY TIME`.
            if first.text != "time" {
                throw QueryParseError("only ORDER BY time supported at this time")
            }
        default:
            throw Self.found(first, ["identifier", "ASC", "DESC"])
        }
        while accept(.comma) != nil {
            _ = try parseIdent()
            _ = parseSortDirection()
            count += 1
        }
        if count > 1 { throw QueryParseError("only ORDER BY time supported at this time") }
        return descending
    }

    /// An optional ASC / DESC; true for DESC.
    private mutating func parseSortDirection() -> Bool {
        if accept(.desc) { return true }
        _ = accept(.asc)
        return false
    }
}
