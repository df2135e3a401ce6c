/// Recursive-descent InfluxQL parser over a `Lexer`, with one token of lookahead.
///
/// Error messages follow InfluxDB 1.x word for word (`found X, expected Y at line L, char C`,
/// `invalid duration`, …) because clients show them to users and some match on them.
/// Statements InfluxDB knows but Strata does not run are recognised far enough to name them
/// in a "… is not supported" error.
struct Parser {
    var lexer: Lexer
    private var lookahead: Token?
    /// Values for `$name` tokens, swapped in as tokens as they are read (`Token.bound(to:)`).
    let parameters: [String: BoundParameter]
    /// Parentheses, calls and subqueries open so far. Bounded so that hostile input such as
    /// ten thousand `(` gets an error instead of exhausting the stack.
    var depth = 0
    static let maximumDepth = 200
    /// Subqueries open so far. Each level costs ~5 KB of stack in a debug build to parse and
    /// run (the executor recurses per subquery and walks each one's expressions, up to
    /// `maximumExpressionDepth` deep, at every level): 16 levels and 64-level expressions stay
    /// well under a 512 KiB stack. Real queries nest two or three.
    var subqueryDepth = 0
    static let maximumSubqueryDepth = 16

    init(_ text: String, parameters: [String: BoundParameter] = [:]) {
        lexer = Lexer(text)
        self.parameters = parameters
    }

    // MARK: Tokens

    mutating func peek() -> Token {
        if let token = lookahead { return token }
        var token = lexer.next()
        if token.kind == .boundParameter, let value = parameters[token.text] {
            token = token.bound(to: value)
        }
        lookahead = token
        return token
    }

    @discardableResult
    mutating func next() -> Token {
        let token = peek()
        lookahead = nil
        return token
    }

    /// The pattern of a `/regex/` or of a `$name` bound to a regex if one comes next, else nil
    /// with nothing consumed.
    mutating func scanRegex() throws(QueryParseError) -> String? {
        if let token = lookahead {
            // A parameter's value was never text: rescanning would read `$name` again.
            if token.isParameter { return try takeBoundRegex() }
            lexer.rewind(to: token)
            lookahead = nil
        }
        if let token = lexer.scanRegex() {
            if token.kind == .badRegex {
                // InfluxDB prints the (empty) literal after the colon, hence the double space.
                throw Self.error("bad regex: ", at: token)
            }
            try Self.checkRegex(token.text, at: token)
            return token.text
        }
        // Reading the next token now is what the caller does anyway when there is no regex.
        return peek().isParameter ? try takeBoundRegex() : nil
    }

    /// The lookahead's pattern, consumed, if it is a bound regex; else nil, nothing consumed.
    private mutating func takeBoundRegex() throws(QueryParseError) -> String? {
        guard let token = lookahead, case .regex(let pattern)? = token.bound else { return nil }
        lookahead = nil
        try Self.checkRegex(pattern, at: token)
        return pattern
    }

    /// InfluxDB's parser compiles each regex, so a pattern Go's regexp (RE2) refuses fails the
    /// whole query text (400) with Go's message and the regex's position. The executor compiles
    /// it again where it runs; compiling is linear in the pattern, bounded by RE2's 8 MiB.
    private static func checkRegex(_ pattern: String, at token: Token) throws(QueryParseError) {
        do {
            _ = try CompiledRegex(pattern)
        } catch {
            throw Self.error(error.description, at: token)
        }
    }

    /// Consumes the next token if it is `keyword`.
    mutating func accept(_ keyword: Keyword) -> Bool {
        guard peek().isKeyword(keyword) else { return false }
        next()
        return true
    }

    /// Consumes the next token if it is of `kind`.
    mutating func accept(_ kind: TokenKind) -> Token? {
        guard peek().kind == kind else { return nil }
        return next()
    }

    mutating func expect(_ keyword: Keyword) throws(QueryParseError) {
        let token = next()
        guard token.isKeyword(keyword) else { throw Self.found(token, [keyword.rawValue]) }
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind) throws(QueryParseError) -> Token {
        let token = next()
        guard token.kind == kind else { throw Self.found(token, [kind.name]) }
        return token
    }

    mutating func parseIdent() throws(QueryParseError) -> String {
        let token = next()
        guard token.kind == .ident else { throw Self.found(token, ["identifier"]) }
        return token.text
    }

    /// `LIMIT n`-style clauses: nothing if `keyword` is absent, else a non-negative integer.
    mutating func parseOptionalInt(after keyword: Keyword) throws(QueryParseError) -> Int {
        guard accept(keyword) else { return 0 }
        let token = next()
        guard token.kind == .integer else { throw Self.found(token, ["integer"]) }
        guard let value = Int(token.text) else { throw Self.error("unable to parse integer", at: token) }
        // Only a bound integer can be negative here; the text has no sign.
        guard value >= 0 else { throw Self.error("\(keyword.rawValue) must be >= 0", at: token) }
        return value
    }

    /// Counts one more level of nesting; `leave()` must follow.
    mutating func enter() throws(QueryParseError) {
        depth += 1
        if depth > Self.maximumDepth { throw Self.error("expression is nested too deeply", at: peek()) }
    }

    mutating func leave() {
        depth -= 1
    }

    // MARK: Errors

    /// A `$name` left without a value is reported as such wherever it stops the parse (as in
    /// InfluxDB, whose message has no position), whatever was expected there.
    static func missingParameter(_ token: Token) -> QueryParseError? {
        token.kind == .boundParameter ? QueryParseError("missing parameter: \(token.text)") : nil
    }

    static func found(_ token: Token, _ expected: [String]) -> QueryParseError {
        if let missing = missingParameter(token) { return missing }
        return QueryParseError("found \(token.display), expected \(expected.joined(separator: ", ")) at line \(token.line), char \(token.char)")
    }

    static func error(_ message: String, at token: Token) -> QueryParseError {
        if let missing = missingParameter(token) { return missing }
        return QueryParseError("\(message) at line \(token.line), char \(token.char)")
    }

    /// InfluxDB reports some errors without a position but at "line 1, char 1" (its zero Pos).
    static func errorAtStart(_ message: String) -> QueryParseError {
        QueryParseError("\(message) at line 1, char 1")
    }

    static func unsupported(_ what: String) -> QueryParseError {
        QueryParseError("\(what) is not supported")
    }

    // MARK: Query

    static let statementKeywords = ["SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN",
                                    "GRANT", "REVOKE", "ALTER", "SET", "KILL"]

    mutating func parseQuery() throws(QueryParseError) -> [Statement] {
        var statements: [Statement] = []
        var separated = true
        while true {
            let token = peek()
            if token.isEOF { break }
            if token.kind == .semicolon {
                next()
                separated = true
                continue
            }
            guard separated else { throw Self.found(token, [";"]) }
            statements.append(try parseStatement())
            separated = false
        }
        if statements.isEmpty {
            // InfluxDB accepts an empty query and returns nothing; its HTTP API then answers
            // with the statement parser's complaint, which is what users expect to see.
            throw Self.found(peek(), Self.statementKeywords)
        }
        return statements
    }

    mutating func parseStatement() throws(QueryParseError) -> Statement {
        let token = next()
        switch token.kind {
        case .keyword(.select):
            return .select(try parseSelectStatement())
        case .keyword(.delete):
            return .delete(try parseDeleteStatement())
        case .keyword(.show):
            return try parseShowStatement()
        case .keyword(.create):
            return try parseCreateStatement()
        case .keyword(.drop):
            return try parseDropStatement()
        case .keyword(.explain):
            let analyze = accept(.analyze)
            try expect(.select)
            return .explain(try parseSelectStatement(), analyze: analyze)
        case .keyword(.grant):
            throw Self.unsupported("GRANT")
        case .keyword(.revoke):
            throw Self.unsupported("REVOKE")
        case .keyword(.alter):
            try expect(.retention)
            try expect(.policy)
            return .alterRetentionPolicy(try parseAlterRetentionPolicy())
        case .keyword(.set):
            try expect(.password)
            try expect(.for)
            throw Self.unsupported("SET PASSWORD")
        case .keyword(.kill):
            try expect(.query)
            let id = next()
            guard id.kind == .integer, let qid = UInt64(id.text) else { throw Self.found(id, ["integer"]) }
            if accept(.on) { throw Self.unsupported("KILL QUERY ON a host") }
            return .killQuery(qid)
        default:
            throw Self.found(token, Self.statementKeywords)
        }
    }
}
