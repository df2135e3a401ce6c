/// One lexical token of InfluxQL text.
struct Token: Sendable, Equatable {
    var kind: TokenKind
    /// The literal: an identifier's name (unquoted), a string's content (unescaped), a number's
    /// or duration's digits, a regex's pattern, an illegal character. Empty for operators and
    /// keywords.
    var text: String
    /// 1-based line and character (in unicode scalars), as InfluxDB reports them.
    var line: Int
    var char: Int
    /// Index of the first scalar, so the parser can rewind and rescan the text as a regex.
    var offset: Int
    /// Whether whitespace or a comment came right before. InfluxQL is whitespace-sensitive in a
    /// few places: `f(` is a call but `f (` is not, `a.b` is one name, `*::tag` is one wildcard.
    var spaceBefore: Bool

    /// How InfluxDB names the token in "found X, expected Y": the literal if there is one,
    /// otherwise the token's name (`EOF`, `FROM`, `,`).
    var display: String {
        text.isEmpty ? kind.name : text
    }

    var isEOF: Bool { kind == .eof }

    func isKeyword(_ keyword: Keyword) -> Bool {
        kind == .keyword(keyword)
    }
}
