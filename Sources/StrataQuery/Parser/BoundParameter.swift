import StrataCore

/// A value bound to `$name` in query text (InfluxDB's `params`). See docs/http-api.md.
///
/// The parser swaps the `$name` token for a token of the value's kind holding the value as
/// it is; the value is never written into the text or lexed, so no quote, backslash, `/` or
/// newline in it can end the literal early or start another one.
public enum BoundParameter: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// A name: a measurement, field, tag key, database… never a keyword.
    case identifier(String)
    /// A regex pattern exactly as the regex engine gets it (no `/` delimiters, no escaping).
    case regex(String)
    /// A duration in nanoseconds.
    case duration(Int64)

    /// An InfluxQL duration literal such as `1h30m` (no sign), or nil if it is not one.
    /// Public so the HTTP layer reads `{"duration": "1h30m"}` with the parser's own rules.
    public static func duration(parsing text: String) -> BoundParameter? {
        guard case .success(let nanoseconds) = DurationText.parse(text, .influxQL) else { return nil }
        return .duration(nanoseconds)
    }
}

extension Token {
    /// This `$name` token turned into the token the grammar expects for `value`, at the same
    /// position so errors point at `$name`. `text` is only what error messages print, except
    /// for strings, identifiers, integers and floats, whose text the parser reads as before:
    /// Swift prints integers and doubles (also -0.0, inf, nan) in a form that parses back to
    /// the same value. Durations and regexes are read from `bound` instead, since a negative
    /// duration has no literal and a regex is never lexed.
    func bound(to value: BoundParameter) -> Token {
        var token = self
        token.bound = value
        switch value {
        case .string(let s):
            token.kind = .string
            token.text = s
        case .identifier(let name):
            token.kind = .ident
            token.text = name
        case .integer(let n):
            token.kind = .integer
            token.text = String(n)
        case .float(let x):
            token.kind = .number
            token.text = String(x)
        case .boolean(let b):
            token.kind = b ? .trueLiteral : .falseLiteral
            token.text = ""
        case .duration(let nanoseconds):
            token.kind = .duration
            token.text = "\(nanoseconds)ns"
        case .regex(let pattern):
            // Only `Parser.scanRegex` takes it; anywhere else it is an unexpected REGEX, as in
            // InfluxDB.
            token.kind = .regex
            token.text = pattern
        }
        return token
    }

    /// Nanoseconds of a duration token: the bound value, or the literal's text parsed.
    var durationValue: Result<Int64, DurationText.Failure> {
        if case .duration(let nanoseconds)? = bound { return .success(nanoseconds) }
        return DurationText.parse(text, .influxQL)
    }

    /// Whether this token stands for a `$name` (bound or not): it has no text of its own to
    /// rescan, so the parser must never rewind the lexer to it.
    var isParameter: Bool { bound != nil || kind == .boundParameter }
}
