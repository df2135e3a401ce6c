/// Expressions: InfluxQL's binary operators by `BinaryOperator.precedence`, all left
/// associative, as InfluxDB builds its trees.
///
/// Hostile text must not exhaust the stack, here or in whatever walks the tree later: every
/// `Expr` walker recurses once per level (evaluation, rendering, `==`, even freeing the tree).
/// So the parser keeps stacks of its own (a frame per open parenthesis or call, a run of
/// operands per precedence level) instead of recursing per operator, parenthesis or sign, and
/// refuses trees deeper than `maximumExpressionDepth`. A chain such as `a + b + c` is the tree
/// `((a + b) + c)`, as deep as it is long; long chains of one AND or OR, whose grouping never
/// changes an answer, are built balanced instead (`Expr.joined`), so a WHERE with hundreds of
/// ORed tag values stays a few levels deep. docs/influxql.md, "Limits".
extension Parser {
    /// The deepest expression tree accepted; each binary operator, parenthesis, call and unary
    /// sign (other than on a literal) adds a level. Walking a tree takes up to ~3.6 KB of stack
    /// a level in a debug build (`SELECT mean(v) + mean(v) + …` through the executor; 3.2 KB
    /// for raw arithmetic, 2.1 KB for a WHERE evaluated per row): ~255 KB at this limit, and
    /// 285 KB for 16 nested subqueries each that deep (`maximumSubqueryDepth`), within a
    /// 512 KiB secondary-thread stack and far within the 8 MiB ones queries run on here.
    /// Queries people write are a few levels deep; arithmetic or comparisons chained up to 64
    /// terms fit, and AND / OR chains of any length.
    static let maximumExpressionDepth = 64
    /// Chains of more than this many terms joined by the same AND or OR are built balanced
    /// (depth ~log2 n); shorter ones keep InfluxDB's left-deep shape.
    static let balancedChainThreshold = 16

    static func tooDeep(at token: Token) -> QueryParseError {
        error("expression is nested too deeply (more than \(maximumExpressionDepth) levels)", at: token)
    }

    mutating func parseExpr() throws(QueryParseError) -> Expr {
        try parseExprNode().expr
    }

    /// An expression and the depth of its tree (a leaf is 1).
    struct ExprNode {
        var expr: Expr
        var depth: Int
    }

    /// Operands joined by operators of one precedence, the last operator still waiting for
    /// its right operand.
    private struct Chain {
        let precedence: Int
        var terms: [ExprNode]
        var operators: [BinaryOperator]
        var firstToken: Token
        /// The last operator, where an error about its right operand points.
        var pendingToken: Token
        /// The depth of `terms` joined left-deep, and the operator where that first went over
        /// the limit.
        var leftDeepDepth: Int
        var leftDeepOverflow: Token?

        init(_ first: ExprNode, _ op: BinaryOperator, _ token: Token) {
            precedence = op.precedence
            terms = [first]
            operators = [op]
            firstToken = token
            pendingToken = token
            leftDeepDepth = first.depth
        }

        /// AND and OR are alone at their precedence: a chain of either may be balanced.
        var balanceable: Bool { precedence <= BinaryOperator.and.precedence }

        /// Appends the right operand of the pending operator.
        mutating func append(_ node: ExprNode) throws(QueryParseError) {
            terms.append(node)
            leftDeepDepth = max(leftDeepDepth, node.depth) + 1
            if leftDeepDepth > Parser.maximumExpressionDepth, leftDeepOverflow == nil {
                // Others only ever grow left-deep: refuse now, before reading the rest.
                guard balanceable else { throw Parser.tooDeep(at: pendingToken) }
                leftDeepOverflow = pendingToken
            }
        }

        /// The tree of a chain whose operators all have their right operand.
        func fold() throws(QueryParseError) -> ExprNode {
            if balanceable && terms.count > Parser.balancedChainThreshold {
                let node = ExprNode.balanced(operators[0], terms[...])
                if node.depth > Parser.maximumExpressionDepth { throw Parser.tooDeep(at: firstToken) }
                return node
            }
            if let token = leftDeepOverflow { throw Parser.tooDeep(at: token) }
            var node = terms[0]
            for (op, rhs) in zip(operators, terms.dropFirst()) {
                node = ExprNode(expr: .binary(op, node.expr, rhs.expr), depth: max(node.depth, rhs.depth) + 1)
            }
            return node
        }
    }

    /// A leading `+` or `-` waiting for its operand.
    private struct Sign {
        var negative: Bool
        var operand: Token
    }

    /// An open parenthesis or call (or the whole expression), with the chains of its operands.
    private struct Frame {
        enum Kind {
            case root, paren, call(String)
        }
        var kind: Kind
        /// `(` or the call's name, where an error about the whole group points.
        var open: Token?
        var sign: Sign?
        /// How many `enter()`s closing it undoes.
        var levels: Int
        var chains: [Chain] = []
        var arguments: [ExprNode] = []

        /// Joins `node`, the last operand, to the open chains.
        mutating func finish(_ node: ExprNode) throws(QueryParseError) -> ExprNode {
            var current = node
            while var chain = chains.popLast() {
                try chain.append(current)
                current = try chain.fold()
            }
            return current
        }

        /// Adds `node` and the operator `op` after it: chains of tighter operators end here.
        mutating func push(_ node: ExprNode, _ op: BinaryOperator, _ token: Token) throws(QueryParseError) {
            var current = node
            while let top = chains.last, top.precedence > op.precedence {
                var chain = chains.removeLast()
                try chain.append(current)
                current = try chain.fold()
            }
            if chains.last?.precedence == op.precedence {
                let i = chains.count - 1
                try chains[i].append(current)
                chains[i].operators.append(op)
                chains[i].pendingToken = token
            } else {
                chains.append(Chain(current, op, token))
            }
        }
    }

    private enum Step {
        /// An operand comes next (after an optional sign).
        case operand
        /// `node` was read: an operator, or the end of the innermost group, comes next.
        case afterOperand(ExprNode)
        /// An argument of the innermost call was read: `,` or `)` comes next.
        case afterArgument
    }

    mutating func parseExprNode() throws(QueryParseError) -> ExprNode {
        var frames = [Frame(kind: .root, open: nil, sign: nil, levels: 0)]
        var step = Step.operand
        while true {
            switch step {
            case .operand:
                step = try parseOperand(&frames)

            case .afterOperand(let node):
                if let op = peek().kind.binaryOperator {
                    let token = next()
                    try frames[frames.count - 1].push(node, op, token)
                    guard op == .matches || op == .notMatches else {
                        step = .operand
                        continue
                    }
                    guard let pattern = try scanRegex() else { throw Self.found(next(), ["regex"]) }
                    step = .afterOperand(ExprNode(expr: .regex(pattern), depth: 1))
                    continue
                }
                var frame = frames.removeLast()
                let value = try frame.finish(node)
                switch frame.kind {
                case .root:
                    return value
                case .paren:
                    let closing = next()
                    guard closing.kind == .rparen else { throw Self.found(closing, [")"]) }
                    step = .afterOperand(try close(frame, .paren(value.expr), depth: value.depth + 1))
                case .call:
                    frame.arguments.append(value)
                    frames.append(frame)
                    step = .afterArgument
                }

            case .afterArgument:
                if accept(.comma) != nil {
                    if let pattern = try scanRegex() {
                        frames[frames.count - 1].arguments.append(ExprNode(expr: .regex(pattern), depth: 1))
                    } else {
                        step = .operand
                    }
                    continue
                }
                let frame = frames.removeLast()
                let closing = next()
                guard closing.kind == .rparen else { throw Self.found(closing, [")"]) }
                guard case .call(let name) = frame.kind else { preconditionFailure("arguments outside a call") }
                let depth = (frame.arguments.map(\.depth).max() ?? 0) + 1
                step = .afterOperand(try close(frame, .call(name, frame.arguments.map(\.expr)), depth: depth))
            }
        }
    }

    /// An operand: a literal, a reference, or the start of a parenthesis or call (a new frame).
    private mutating func parseOperand(_ frames: inout [Frame]) throws(QueryParseError) -> Step {
        try enter()
        var levels = 1
        var sign: Sign?
        let first = peek()
        if first.kind == .add || first.kind == .sub {
            // Numbers and durations take the sign, anything else is multiplied by ±1, as
            // InfluxDB does; a sign cannot follow a sign.
            next()
            let negative = first.kind == .sub
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
                leave()
                return .afterOperand(ExprNode(expr: .integer(.min), depth: 1))
            }
            try enter()
            levels += 1
            sign = Sign(negative: negative, operand: operand)
        }

        let token = next()
        let leaf: ExprNode
        switch token.kind {
        case .lparen:
            frames.append(Frame(kind: .paren, open: token, sign: sign, levels: levels))
            return .operand

        case .ident:
            if peek().kind == .lparen && !peek().spaceBefore {
                next()
                return try openCall(name: token.text, at: token, sign: sign, levels: levels, &frames)
            }
            leaf = ExprNode(expr: try parseVarRef(first: token.text), depth: 1)

        case .keyword(.distinct):
            // `distinct(x)` is a call; `distinct x` is InfluxQL's shorthand for the same.
            let following = next()
            if following.kind == .lparen && !following.spaceBefore {
                return try openCall(name: "distinct", at: token, sign: sign, levels: levels, &frames)
            }
            if following.spaceBefore {
                guard following.kind == .ident else { throw Self.found(following, ["identifier"]) }
                leaf = ExprNode(expr: .call("distinct", [.varRef(following.text, nil)]), depth: 2)
            } else {
                throw Self.found(following, ["(", "identifier"])
            }

        case .string:
            leaf = ExprNode(expr: .string(token.text), depth: 1)

        case .number:
            guard let value = Double(token.text) else { throw Self.error("unable to parse number", at: token) }
            leaf = ExprNode(expr: .number(value), depth: 1)

        case .integer:
            guard let value = Int64(token.text) else { throw Self.error("unable to parse integer", at: token) }
            leaf = ExprNode(expr: .integer(value), depth: 1)

        case .trueLiteral:
            leaf = ExprNode(expr: .boolean(true), depth: 1)
        case .falseLiteral:
            leaf = ExprNode(expr: .boolean(false), depth: 1)

        case .duration:
            switch token.durationValue {
            case .success(let nanos): leaf = ExprNode(expr: .duration(nanos), depth: 1)
            case .failure(let failure): throw QueryParseError(failure.message)
            }

        case .mul:
            if peek().kind == .doubleColon, !peek().spaceBefore {
                next()
                let type = next()
                switch type.kind {
                case .keyword(.field): leaf = ExprNode(expr: .wildcard(.fields), depth: 1)
                case .keyword(.tag): leaf = ExprNode(expr: .wildcard(.tags), depth: 1)
                default: throw Self.found(type, ["field", "tag"])
                }
            } else {
                leaf = ExprNode(expr: .wildcard(.all), depth: 1)
            }

        default:
            throw Self.found(token, ["identifier", "string", "number", "bool"])
        }
        let frame = Frame(kind: .root, open: token, sign: sign, levels: levels)
        return .afterOperand(try close(frame, leaf.expr, depth: leaf.depth))
    }

    /// After `name(`: a call frame, or the whole call when it has no arguments. Each argument
    /// may be a regex.
    private mutating func openCall(name: String, at token: Token, sign: Sign?, levels: Int,
                                   _ frames: inout [Frame]) throws(QueryParseError) -> Step {
        let name = name.lowercased()
        var frame = Frame(kind: .call(name), open: token, sign: sign, levels: levels)
        if let pattern = try scanRegex() {
            frame.arguments.append(ExprNode(expr: .regex(pattern), depth: 1))
            frames.append(frame)
            return .afterArgument
        }
        if accept(.rparen) != nil {
            return .afterOperand(try close(frame, .call(name, []), depth: 1))
        }
        frames.append(frame)
        return .operand
    }

    /// `expr`, the value of `frame` (or of a leaf), with the frame's sign applied and its
    /// nesting levels left.
    private mutating func close(_ frame: Frame, _ expr: Expr, depth: Int) throws(QueryParseError) -> ExprNode {
        for _ in 0..<frame.levels { leave() }
        if depth > Self.maximumExpressionDepth, let open = frame.open { throw Self.tooDeep(at: open) }
        guard let sign = frame.sign else { return ExprNode(expr: expr, depth: depth) }
        let negative = sign.negative
        switch expr {
        case .integer(.min) where negative, .duration(.min) where negative:
            // Only a bound value can be Int64.min here, and negating it would trap.
            throw Self.error("unable to parse integer", at: sign.operand)
        case .number(let value):
            return ExprNode(expr: .number(negative ? -value : value), depth: depth)
        case .integer(let value):
            return ExprNode(expr: .integer(negative ? -value : value), depth: depth)
        case .duration(let value):
            return ExprNode(expr: .duration(negative ? -value : value), depth: depth)
        default:
            if depth + 1 > Self.maximumExpressionDepth { throw Self.tooDeep(at: sign.operand) }
            return ExprNode(expr: .binary(.multiply, .integer(negative ? -1 : 1), expr), depth: depth + 1)
        }
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

extension Parser.ExprNode {
    /// `terms` joined by `op` as a balanced tree, in order.
    static func balanced(_ op: BinaryOperator, _ terms: ArraySlice<Self>) -> Self {
        if terms.count == 1 { return terms[terms.startIndex] }
        let middle = terms.startIndex + terms.count / 2
        let lhs = balanced(op, terms[..<middle])
        let rhs = balanced(op, terms[middle...])
        return Self(expr: .binary(op, lhs.expr, rhs.expr), depth: max(lhs.depth, rhs.depth) + 1)
    }
}

extension Expr {
    /// `terms` joined by `op` the way the parser joins a chain of them: left-deep, as InfluxDB
    /// does, up to 16 terms, and for AND and OR (whose grouping never changes an answer)
    /// balanced beyond, ~log2(n) levels deep instead of n. Every `Expr` walker recurses once per
    /// level, so build conjunctions and disjunctions of unbounded length with this rather than
    /// a `reduce`. nil when `terms` is empty.
    public static func joined(_ terms: [Expr], by op: BinaryOperator) -> Expr? {
        guard let first = terms.first else { return nil }
        let nodes = terms.map { Parser.ExprNode(expr: $0, depth: 1) }
        if (op == .and || op == .or) && terms.count > Parser.balancedChainThreshold {
            return Parser.ExprNode.balanced(op, nodes[...]).expr
        }
        return terms.dropFirst().reduce(first) { .binary(op, $0, $1) }
    }
}
