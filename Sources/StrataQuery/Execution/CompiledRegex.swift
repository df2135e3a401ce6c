import CRE2

/// A regular expression from a query (`=~ /re/`, `FROM /re/`, `GROUP BY /re/`, `SHOW … WITH KEY
/// =~ /re/`) or a live subscription's filter. InfluxQL's regexes are Go's regexp, which is RE2
/// syntax, unanchored; this is RE2 itself (Debian's libre2-dev through CRE2), so matching takes
/// time linear in the text whatever the pattern (`(a+)+$` cannot backtrack), and patterns RE2
/// and Go refuse (look-arounds, back-references) are refused with Go's wording.
///
/// Compile once per statement or subscription and share: the RE2 object is immutable, matching
/// from several threads at once is safe, and it is freed when the last reference goes.
public final class CompiledRegex: @unchecked Sendable {
    public let pattern: String
    /// Owned; never mutated after init (RE2's matching is const and thread-safe).
    private let regex: OpaquePointer

    public init(_ pattern: String) throws(QueryError) {
        self.pattern = pattern
        var error = CRE2Error(code: 0, arg: nil, arg_length: 0)
        var text = pattern
        let compiled = text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { cre2_new($0.baseAddress, $0.count, &error) }
        }
        guard let compiled else {
            defer { cre2_free_error(&error) }
            let arg = error.arg.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: error.arg_length), as: UTF8.self)
            } ?? ""
            throw QueryError(Self.goMessage(code: error.code, arg: arg, pattern: pattern))
        }
        regex = compiled
    }

    deinit { cre2_delete(regex) }

    /// Whether the pattern matches somewhere in `text`. Reads the string's own UTF-8 storage;
    /// only a string without contiguous UTF-8 (bridged) is copied first.
    public func matches(_ text: String) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable({ match($0) }) { return answer }
        var copy = text
        return copy.withUTF8 { match($0) }
    }

    /// Whether the pattern matches somewhere in these UTF-8 bytes.
    public func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool { match(bytes) }

    private func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withMemoryRebound(to: CChar.self) { cre2_partial_match(regex, $0.baseAddress, $0.count) != 0 }
    }

    /// Go's regexp.Compile error for what RE2 reported (`regexp/syntax.Error`: `error parsing
    /// regexp: <code>: `<expr>``), which InfluxDB returns for a bad regex. Go's parser is a port
    /// of RE2's, so the codes and the offending fragment correspond one to one; a pattern too
    /// large names the whole pattern, as Go's ErrLarge does (RE2 gives no fragment for it).
    static func goMessage(code: Int32, arg: String, pattern: String) -> String {
        let reason: String
        switch Int(code) {
        case CRE2_ERROR_BAD_ESCAPE: reason = "invalid escape sequence"
        case CRE2_ERROR_BAD_CHAR_CLASS: reason = "invalid character class"
        case CRE2_ERROR_BAD_CHAR_RANGE: reason = "invalid character class range"
        case CRE2_ERROR_MISSING_BRACKET: reason = "missing closing ]"
        case CRE2_ERROR_MISSING_PAREN: reason = "missing closing )"
        case CRE2_ERROR_UNEXPECTED_PAREN: reason = "unexpected )"
        case CRE2_ERROR_TRAILING_BACKSLASH: reason = "trailing backslash at end of expression"
        case CRE2_ERROR_REPEAT_ARGUMENT: reason = "missing argument to repetition operator"
        case CRE2_ERROR_REPEAT_SIZE: reason = "invalid repeat count"
        case CRE2_ERROR_REPEAT_OP: reason = "invalid nested repetition operator"
        case CRE2_ERROR_BAD_PERL_OP: reason = "invalid or unsupported Perl syntax"
        case CRE2_ERROR_BAD_UTF8: reason = "invalid UTF-8"
        case CRE2_ERROR_BAD_NAMED_CAPTURE: reason = "invalid named capture"
        case CRE2_ERROR_PATTERN_TOO_LARGE: reason = "expression too large"
        default: reason = "regexp/syntax: internal error"
        }
        let expr = arg.isEmpty && Int(code) == CRE2_ERROR_PATTERN_TOO_LARGE ? pattern : arg
        return "error parsing regexp: \(reason): `\(expr)`"
    }
}
