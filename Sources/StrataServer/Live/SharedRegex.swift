import Foundation

/// NSRegularExpression is immutable and safe to share across threads (Foundation's
/// documentation), but not marked Sendable. Unanchored, like InfluxQL's `=~`.
struct SharedRegex: @unchecked Sendable {
    let expression: NSRegularExpression

    init(_ expression: NSRegularExpression) { self.expression = expression }

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text)) != nil
    }
}
