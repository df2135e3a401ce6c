/// Expressions: precedence climbing over `BinaryOperator.precedence`, all operators left
/// associative, as InfluxDB builds its trees.
extension Parser {
    mutating func parseExpr() throws(QueryParseError) -> Expr {
        let first = try parseUnaryExpr()
        return try parseBinary(startingWith: first, minimumPrecedence: 0)
    }

    private mutating func parseBinary(startingWith first: Expr, minimumPrecedence: Int) throws(QueryParseError) -> Expr {
        var lhs = first
        while let op = peek().kind.binaryOperator, op.precedence >= minimumPrecedence {
            next()
            var rhs = try parseOperand(of: op)
            while let nextOp = peek().kind.binaryOperator, nextOp.precedence > op.precedence {
                rhs = try parseBinary(startingWith: rhs, minimumPrecedence: op.precedence + 1)
            }
            lhs = .binary(op, lhs, rhs)
        }
        return lhs
    }

    /// The right-hand side of `op`: a regex after `=~` / `!~`, otherwise a unary expression.
    private mutating func parseOperand(of op: BinaryOperator) throws(QueryParseError) -> Expr {
        guard op == .matches || op == .notMatches else { return try parseUnaryExpr() }
        guard let pattern = try scanRegex() else { throw Self.found(next(), ["regex"]) }
        return .regex(pattern)
    }

    mutating func parseUnaryExpr() throws(QueryParseError) -> Expr {
        try enter()
        defer { leave() }
        let token = next()
        switch token.kind {
        case .lparen:
            let inner = try parseExpr()
            let close = next()
            guard close.kind == .rparen else { throw Self.found(close, [")"]) }
            return .paren(inner)

        case .ident:
            if peek().kind == .lparen && !peek().spaceBefore {
                next()
                return try parseCall(name: token.text)
            }
            return try parseVarRef(first: token.text)

        case .keyword(.distinct):
            // `distinct(x)` is a call; `distinct x` is InfluxQL's shorthand for the same.
            let following = next()
            if following.kind == .lparen && !following.spaceBefore {
                return try parseCall(name: "distinct")
            }
            if following.spaceBefore {
                guard following.kind == .ident else { throw Self.found(following, ["identifier"]) }
                return .call("distinct", [.varRef(following.text, nil)])
            }
            throw Self.found(following, ["(", "identifier"])

        case .string:
            return .string(token.text)

        case .number:
            guard let value = Double(token.text) else { throw Self.error("unable to parse number", at: token) }
            return .number(value)

        case .integer:
            guard let value = Int64(token.text) else { throw Self.error("unable to parse integer", at: token) }
            return .integer(value)

        case .trueLiteral:
            return .boolean(true)
        case .falseLiteral:
            return .boolean(false)

        case .duration:
            switch token.durationValue {
            case .success(let nanos): return .duration(nanos)
            case .failure(let failure): throw QueryParseError(failure.message)
            }

        case .mul:
            guard peek().kind == .doubleColon, !peek().spaceBefore else { return .wildcard(.all) }
            next()
            let type = next()
            switch type.kind {
            case .keyword(.field): return .wildcard(.fields)
            case .keyword(.tag): return .wildcard(.tags)
            default: throw Self.found(type, ["field", "tag"])
            }

        case .add, .sub:
            return try parseSigned(negative: token.kind == .sub)

        default:
            throw Self.found(token, ["identifier", "string", "number", "bool"])
        }
    }

    /// After a leading `+` or `-`: numbers and durations take the sign, anything else is
    /// multiplied by ±1, as InfluxDB does.
    private mutating func parseSigned(negative: Bool) throws(QueryParseError) -> Expr {
        let operand = peek()
        switch operand.kind {
        case .number, .integer, .duration, .lparen, .ident:
            break
        default:
            throw Self.found(next(), ["identifier", "number", "duration", "("])
        }
        // -9223372036854775808 only fits once negated.
        if negative, operand.kind == .integer, Int64(operand.text) == nil, UInt64(operand.text) == 1 << 63 {
            next()
            return .integer(.min)
        }
        let expr = try parseUnaryExpr()
        switch expr {
        case .integer(.min) where negative, .duration(.min) where negative:
            // Only a bound value can be Int64.min here, and negating it would trap.
            throw Self.error("unable to parse integer", at: operand)
        case .number(let value):
            return .number(negative ? -value : value)
        case .integer(let value):
            return .integer(negative ? -value : value)
        case .duration(let value):
            return .duration(negative ? -value : value)
        default:
            return .binary(.multiply, .integer(negative ? -1 : 1), expr)
        }
    }

    /// `name(args…)`, the name and `(` consumed. Each argument may be a regex.
    private mutating func parseCall(name: String) throws(QueryParseError) -> Expr {
        var args: [Expr] = []
        if let pattern = try scanRegex() {
            args.append(.regex(pattern))
        } else {
            if accept(.rparen) != nil { return .call(name.lowercased(), []) }
            args.append(try parseExpr())
        }
        while accept(.comma) != nil {
            if let pattern = try scanRegex() {
                args.append(.regex(pattern))
            } else {
                args.append(try parseExpr())
            }
        }
        let close = next()
        guard close.kind == .rparen else { throw Self.found(close, [")"]) }
        return .call(name.lowercased(), args)
    }

    /// `a`, `a.b` (one name, joined with dots) and an optional `::type` cast.
    private mutating func parseVarRef(first: String) throws(QueryParseError) -> Expr {
        let segments = try parseSegmentedIdents(first: first).segments
        let name = segments.joined(separator: ".")
        guard peek().kind == .doubleColon, !peek().spaceBefore else { return .varRef(name, nil) }
        next()
        let type = next()
        switch type.kind {
        case .ident:
            switch type.text.lowercased() {
            case "float": return .varRef(name, .float)
            case "integer": return .varRef(name, .integer)
            case "unsigned": return .varRef(name, .unsigned)
            case "string": return .varRef(name, .string)
            case "boolean": return .varRef(name, .boolean)
            default:
                throw Self.found(type, ["float", "integer", "unsigned", "string", "boolean", "field", "tag"])
            }
        case .keyword(.field):
            return .varRef(name, .field)
        case .keyword(.tag):
            return .varRef(name, .tag)
        default:
            throw Self.found(type, ["float", "integer", "string", "boolean", "field", "tag"])
        }
    }
}
