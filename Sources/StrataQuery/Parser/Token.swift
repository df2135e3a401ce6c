/// One lexical token of InfluxQL text.
struct Token: Sendable, Equatable {
    var kind: TokenKind
    /// The literal: an identifier's name (unquoted), a string's content (unescaped), a number's
    /// or duration's digits, a regex's pattern, a bound parameter's name (no `$`), an illegal
    /// character. Empty for operators and keywords.
    var text: String
    /// 1-based line and character (in unicode scalars) as InfluxDB reports them, which for
    /// strings and regexes is one character before where they start.
    var line: Int
    var char: Int
    /// Where the token really starts, so the parser can rewind and rescan it as a regex.
    var start: Start
    /// Whether whitespace or a comment came right before. InfluxQL is whitespace-sensitive in a
    /// few places: `f(` is a call but `f (` is not, `a.b` is one name, `*::tag` is one wildcard.
    var spaceBefore: Bool
    /// The value bound to the `$name` this token replaced (`Token.bound(to:)`), nil for tokens
    /// from the text.
    var bound: BoundParameter? = nil

    /// How InfluxDB names the token in "found X, expected Y": the literal if there is one,
    /// otherwise the token's name (`EOF`, `FROM`, `,`). A literal longer than
    /// `maximumDisplayLength` characters is cut there and ends with `…`: an error need not
    /// echo a megabyte identifier back.
    var display: String {
        if text.isEmpty { return kind.name }
        guard text.unicodeScalars.count > Self.maximumDisplayLength else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(Self.maximumDisplayLength))) + "…"
    }

    static let maximumDisplayLength = 256

    struct Start: Sendable, Equatable {
        var offset: Int
        var line: Int
        var char: Int
    }

    var isEOF: Bool { kind == .eof }

    func isKeyword(_ keyword: Keyword) -> Bool {
        kind == .keyword(keyword)
    }
}
