/// A query text that does not parse. `description` is worded as InfluxDB words it, e.g.
/// `error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8`,
/// because clients show it to users verbatim.
public struct QueryParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The part after `error parsing query: `.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "error parsing query: \(message)" }
}
