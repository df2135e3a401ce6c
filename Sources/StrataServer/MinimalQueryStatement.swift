/// The two InfluxQL statements /query answers until StrataQuery's parser replaces this (the
/// query issue): enough for clients to create a database before writing to it.
enum MinimalQueryStatement: Equatable, Sendable {
    case createDatabase(String)
    case showDatabases

    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Parses every statement of `q` (separated by `;`) before any runs, as InfluxDB does:
    /// one bad statement fails the whole query.
    static func parseAll(_ q: String) throws(ParseError) -> [MinimalQueryStatement] {
        let statements = try splitStatements(q).map { text throws(ParseError) in try parse(text) }
        if statements.isEmpty { throw ParseError(description: "error parsing query: found EOF, expected statement") }
        return statements
    }

    static func parse(_ text: String) throws(ParseError) -> MinimalQueryStatement {
        var tokens = try tokenize(text)
        let words = tokens.map { $0.isQuoted ? nil : $0.text.uppercased() }
        if words.count == 2, words[0] == "SHOW", words[1] == "DATABASES" { return .showDatabases }
        if tokens.count == 3, words[0] == "CREATE", words[1] == "DATABASE" {
            let name = tokens.removeLast()
            guard name.isQuoted || isBareIdentifier(name.text) else {
                throw ParseError(description: "error parsing query: invalid database name \(name.text)")
            }
            return .createDatabase(name.text)
        }
        throw ParseError(
            description: "error parsing query: not supported yet (this server answers only CREATE DATABASE "
                + "<name> and SHOW DATABASES): \(text)")
    }

    private struct Token {
        var text: String
        var isQuoted: Bool
    }

    /// Splits on `;` outside quotes; empty statements are skipped.
    private static func splitStatements(_ q: String) throws(ParseError) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        for c in q {
            if let open = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == open { quote = nil }
                current.append(c)
            } else if c == ";" {
                out.append(current)
                current = ""
            } else {
                if c == "\"" || c == "'" { quote = c }
                current.append(c)
            }
        }
        if quote != nil { throw ParseError(description: "error parsing query: unterminated quoted string") }
        out.append(current)
        return out.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// Whitespace-separated words and double-quoted identifiers (`\"` and `\\` unescaped).
    private static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        while let c = chars.first {
            if c.isWhitespace {
                chars.removeFirst()
            } else if c == "\"" {
                chars.removeFirst()
                var ident = ""
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\\", let next = chars.popFirst() {
                        ident.append(next)
                    } else if d == "\"" {
                        closed = true
                        break
                    } else {
                        ident.append(d)
                    }
                }
                guard closed else { throw ParseError(description: "error parsing query: unterminated quoted identifier") }
                tokens.append(Token(text: ident, isQuoted: true))
            } else {
                let word = chars.prefix(while: { !$0.isWhitespace })
                chars = chars.dropFirst(word.count)
                tokens.append(Token(text: String(word), isQuoted: false))
            }
        }
        return tokens
    }

    /// InfluxQL's unquoted identifier: a letter or `_`, then letters, digits or `_`.
    private static func isBareIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
