import StrataCore

/// Scans InfluxQL text into tokens, one at a time, the way InfluxDB 1.x's scanner does.
///
/// Regular expressions cannot be told apart from division by looking at the text alone, so
/// `next()` never returns one; the parser calls `scanRegex()` where InfluxQL allows a regex
/// (after `=~`/`!~`, in FROM, GROUP BY, the field list and call arguments).
///
/// `$name` is a `boundParameter` token whatever its value; the parser swaps in the value, so
/// values never pass through here.
struct Lexer {
    /// Where the lexer stands; the parser saves and restores it to rescan a token as a regex.
    struct State: Sendable, Equatable {
        var offset = 0
        var line = 1
        var char = 1
        /// InfluxDB's reader advances its position once when something reads past the end
        /// without putting the end back (a trailing identifier, whitespace or comment, or a
        /// look for a regex at the end). An EOF token scanned after that is reported one
        /// character further, and error positions must match.
        var readPastEnd = false
    }

    private let scalars: [Unicode.Scalar]
    var state = State()

    init(_ text: String) {
        // InfluxDB reads "\r\n" and a lone "\r" as one "\n"; folding them up front keeps
        // line counting in one place.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(scalar)
        }
        self.scalars = scalars
    }

    // MARK: Reading

    private var current: Unicode.Scalar? {
        state.offset < scalars.count ? scalars[state.offset] : nil
    }

    private func lookahead(_ distance: Int) -> Unicode.Scalar? {
        let index = state.offset + distance
        return index < scalars.count ? scalars[index] : nil
    }

    private var atEnd: Bool { state.offset >= scalars.count }

    private mutating func advance() {
        guard let scalar = current else { return }
        state.offset += 1
        if scalar == "\n" {
            state.line += 1
            state.char = 1
        } else {
            state.char += 1
        }
    }

    /// The next scalar, without whitespace skipping: the parser needs the raw character after a
    /// `.` to tell `db..m` and `rp./re/` apart.
    func peekScalar() -> Unicode.Scalar? { current }

    /// Puts the lexer back at the start of `token` so it can be scanned again, e.g. as a regex.
    mutating func rewind(to token: Token) {
        if token.kind == .eof { return }  // already at the end; keep the end-of-text bookkeeping
        state = State(offset: token.start.offset, line: token.start.line, char: token.start.char, readPastEnd: false)
    }

    // MARK: Tokens

    mutating func next() -> Token {
        var spaced = false
        while let scalar = current {
            if Self.isWhitespace(scalar) {
                advance()
                spaced = true
                if atEnd { state.readPastEnd = true }
            } else if scalar == "-" && lookahead(1) == "-" {
                while let c = current, c != "\n" { advance() }
                if atEnd { state.readPastEnd = true } else { advance() }
                spaced = true
            } else if scalar == "/" && lookahead(1) == "*" {
                let start = state
                advance()
                advance()
                guard skipBlockComment() else {
                    return token(.illegal, "", at: start, spaced: spaced)
                }
                spaced = true
            } else {
                break
            }
        }

        let start = state
        guard let scalar = current else {
            var end = state
            if state.readPastEnd { end.char += 1 }
            return token(.eof, "", at: end, spaced: spaced)
        }

        if Self.isLetter(scalar) || scalar == "_" {
            return scanWord(spaced: spaced)
        }
        if Self.isDigit(scalar) || (scalar == "." && lookahead(1).map(Self.isDigit) == true) {
            return scanNumber(spaced: spaced)
        }

        advance()
        func make(_ kind: TokenKind) -> Token { token(kind, "", at: start, spaced: spaced) }
        switch scalar {
        case "\"":
            return scanQuoted(quote: "\"", start: start, spaced: spaced, kind: .ident)
        case "'":
            return scanQuoted(quote: "'", start: start, spaced: spaced, kind: .string)
        case ".": return make(.dot)
        case "+": return make(.add)
        case "-": return make(.sub)
        case "*": return make(.mul)
        case "/": return make(.div)
        case "%": return make(.mod)
        case "&": return make(.bitwiseAnd)
        case "|": return make(.bitwiseOr)
        case "^": return make(.bitwiseXor)
        case "(": return make(.lparen)
        case ")": return make(.rparen)
        case ",": return make(.comma)
        case ";": return make(.semicolon)
        case "=":
            if current == "~" { advance(); return make(.eqRegex) }
            return make(.eq)
        case "!":
            if current == "=" { advance(); return make(.neq) }
            if current == "~" { advance(); return make(.neqRegex) }
        case ">":
            if current == "=" { advance(); return make(.gte) }
            return make(.gt)
        case "<":
            if current == "=" { advance(); return make(.lte) }
            if current == ">" { advance(); return make(.neq) }
            return make(.lt)
        case ":":
            if current == ":" { advance(); return make(.doubleColon) }
            return make(.colon)
        case "$":
            if let parameter = scanParameter(start: start, spaced: spaced) { return parameter }
        default:
            break
        }
        return token(.illegal, String(Character(scalar)), at: start, spaced: spaced)
    }

    /// Scans `/pattern/` if the next non-blank character is `/`; otherwise leaves the text as it
    /// was and returns nil. `\/` stands for `/`; any other backslash is kept for the regex
    /// engine. Like InfluxDB, a backslash never escapes a backslash here, so `/a\\/` is
    /// unterminated.
    mutating func scanRegex() -> Token? {
        let before = state
        var spaced = false
        while let scalar = current, Self.isWhitespace(scalar) {
            advance()
            spaced = true
        }
        guard current == "/" else {
            let readPastEnd = atEnd || state.readPastEnd
            state = before
            state.readPastEnd = readPastEnd
            return nil
        }
        let start = state
        let reported = positionBefore(start)
        advance()
        var pattern = ""
        while true {
            guard let scalar = current else {
                state.readPastEnd = true
                return token(.badRegex, "", at: start, reportedAt: reported, spaced: spaced)
            }
            advance()
            switch scalar {
            case "/":
                return token(.regex, pattern, at: start, reportedAt: reported, spaced: spaced)
            case "\n":
                return token(.badRegex, "", at: start, reportedAt: reported, spaced: spaced)
            case "\\":
                if current == "/" {
                    advance()
                    pattern.unicodeScalars.append("/")
                } else {
                    pattern.unicodeScalars.append("\\")
                }
            default:
                pattern.unicodeScalars.append(scalar)
            }
        }
    }

    // MARK: Scanners

    /// Where InfluxDB reports strings and regexes: its scanner takes their position after
    /// stepping back over the opening quote or slash, which lands on the character before it
    /// (line 1, char 1 at the very start).
    private func positionBefore(_ position: State) -> State {
        var result = position
        guard position.offset > 0 else {
            result.line = 1
            result.char = 1
            return result
        }
        if position.char > 1 {
            result.char -= 1
            return result
        }
        // The character before is the newline ending the previous line; it sits after that
        // line's last character.
        var lineStart = position.offset - 1
        while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        result.line -= 1
        result.char = position.offset - lineStart
        return result
    }

    /// A token starting at `position`, reported at `reported` when that differs (see
    /// `positionBefore`).
    private func token(_ kind: TokenKind, _ text: String, at position: State, reportedAt reported: State? = nil,
                       spaced: Bool) -> Token {
        let shown = reported ?? position
        return Token(kind: kind, text: text, line: shown.line, char: shown.char,
                     start: Token.Start(offset: position.offset, line: position.line, char: position.char),
                     spaceBefore: spaced)
    }

    /// Skips to the end of a `/* … */` comment; false if the text ends first.
    private mutating func skipBlockComment() -> Bool {
        while let scalar = current {
            advance()
            if scalar == "*" && current == "/" {
                advance()
                return true
            }
        }
        state.readPastEnd = true
        return false
    }

    private mutating func scanWord(spaced: Bool) -> Token {
        let start = state
        var word = ""
        while let scalar = current, Self.isIdentChar(scalar) {
            word.unicodeScalars.append(scalar)
            advance()
        }
        if atEnd { state.readPastEnd = true }
        switch word.lowercased() {
        case "and": return token(.and, "", at: start, spaced: spaced)
        case "or": return token(.or, "", at: start, spaced: spaced)
        case "in": return token(.in, "", at: start, spaced: spaced)
        case "true": return token(.trueLiteral, "", at: start, spaced: spaced)
        case "false": return token(.falseLiteral, "", at: start, spaced: spaced)
        default: break
        }
        if let keyword = Keyword.lookup(word) {
            return token(.keyword(keyword), "", at: start, spaced: spaced)
        }
        return token(.ident, word, at: start, spaced: spaced)
    }

    /// Integers, decimals (`1.5`, `.5`, and, beyond InfluxDB, exponents like `1e3`) and
    /// durations: digits followed straight away by a letter or `µ` (`10s`, `1h30m`) form a
    /// duration token, checked later by `DurationText.parse`.
    private mutating func scanNumber(spaced: Bool) -> Token {
        let start = state
        var text = ""
        scanDigits(into: &text)
        var isDecimal = false
        if current == "." {
            // As in InfluxDB, the dot belongs to the number even with no digits after it.
            isDecimal = true
            advance()
            if let scalar = current, Self.isDigit(scalar) {
                text += "."
                scanDigits(into: &text)
            }
        }
        if let e = current, e == "e" || e == "E" {
            let signed = lookahead(1) == "+" || lookahead(1) == "-"
            if let digit = lookahead(signed ? 2 : 1), Self.isDigit(digit) {
                text.unicodeScalars.append(e)
                advance()
                if signed, let sign = current {
                    text.unicodeScalars.append(sign)
                    advance()
                }
                scanDigits(into: &text)
                isDecimal = true
            }
        }
        if isDecimal {
            if text.hasPrefix(".") { text = "0" + text }
            return token(.number, text, at: start, spaced: spaced)
        }
        if let scalar = current, Self.isLetter(scalar) || scalar == "µ" {
            while let scalar = current, Self.isLetter(scalar) || scalar == "µ" {
                text.unicodeScalars.append(scalar)
                advance()
            }
            while let scalar = current, Self.isLetter(scalar) || scalar == "µ" || Self.isDigit(scalar) {
                text.unicodeScalars.append(scalar)
                advance()
            }
            return token(.duration, text, at: start, spaced: spaced)
        }
        return token(.integer, text, at: start, spaced: spaced)
    }

    /// The name after `$` (already read): identifier characters, or a double-quoted name with
    /// the escapes of quoted identifiers. Nil, nothing read, if neither follows: a lone `$` is
    /// illegal. A bad quoted name is the bad string or escape it would be as an identifier.
    private mutating func scanParameter(start: State, spaced: Bool) -> Token? {
        if let scalar = current, Self.isIdentChar(scalar) {
            var name = ""
            while let scalar = current, Self.isIdentChar(scalar) {
                name.unicodeScalars.append(scalar)
                advance()
            }
            if atEnd { state.readPastEnd = true }
            return token(.boundParameter, name, at: start, spaced: spaced)
        }
        guard current == "\"" else { return nil }
        let quoteStart = state
        advance()
        let quoted = scanQuoted(quote: "\"", start: quoteStart, spaced: spaced, kind: .ident)
        guard quoted.kind == .ident else { return quoted }
        return token(.boundParameter, quoted.text, at: start, spaced: spaced)
    }

    private mutating func scanDigits(into text: inout String) {
        while let scalar = current, Self.isDigit(scalar) {
            text.unicodeScalars.append(scalar)
            advance()
        }
    }

    /// A single-quoted string or double-quoted identifier, the opening quote already read.
    /// Escapes: `\n`, `\\`, `\"`, `\'`; anything else is a bad escape, reported at the
    /// character after the backslash.
    private mutating func scanQuoted(quote: Unicode.Scalar, start: State, spaced: Bool, kind: TokenKind) -> Token {
        var content = ""
        while true {
            guard let scalar = current else {
                state.readPastEnd = true
                return token(.badString, content, at: start, reportedAt: positionBefore(start), spaced: spaced)
            }
            if scalar == "\n" {
                return token(.badString, content, at: start, reportedAt: positionBefore(start), spaced: spaced)
            }
            advance()
            if scalar == quote {
                // A quoted identifier keeps its own position; only strings get InfluxDB's shift.
                return token(kind, content, at: start, reportedAt: kind == .string ? positionBefore(start) : nil, spaced: spaced)
            }
            guard scalar == "\\" else {
                content.unicodeScalars.append(scalar)
                continue
            }
            let escapePosition = state
            guard let escaped = current else {
                state.readPastEnd = true
                return token(.badEscape, "\\", at: escapePosition, spaced: spaced)
            }
            advance()
            switch escaped {
            case "n": content += "\n"
            case "\\": content += "\\"
            case "\"": content += "\""
            case "'": content += "'"
            default:
                var text = "\\"
                text.unicodeScalars.append(escaped)
                return token(.badEscape, text, at: escapePosition, spaced: spaced)
            }
        }
    }

    // MARK: Character classes (ASCII only, as in InfluxQL)

    static func isWhitespace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isIdentChar(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) || c == "_" }
}
