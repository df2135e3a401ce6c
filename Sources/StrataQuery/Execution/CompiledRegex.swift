import Foundation

/// A regular expression from a query (`=~ /re/`, `FROM /re/`, `GROUP BY /re/`). InfluxQL's
/// regexes are Go RE2 and unanchored; NSRegularExpression accepts the same common syntax.
/// NSRegularExpression is immutable and safe to share across threads.
struct CompiledRegex: @unchecked Sendable {
    let pattern: String
    private let expression: NSRegularExpression

    init(_ pattern: String) throws(QueryError) {
        self.pattern = pattern
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw QueryError("invalid regular expression /\(pattern)/")
        }
    }

    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }
}
