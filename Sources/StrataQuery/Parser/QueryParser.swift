/// Parses InfluxQL text into statements. See docs/influxql.md.
public enum QueryParser {
    /// Every statement of `text` (separated by `;`; empty statements skipped). One bad
    /// statement fails the whole text, as in InfluxDB. Empty text is an error.
    ///
    /// `parameters` are the values of `$name` (InfluxDB's bound parameters): each `$name` token
    /// is replaced by a token holding its value, so a value is never read as query text. A
    /// `$name` with no value is the error `missing parameter: name`.
    public static func parse(_ text: String, parameters: [String: BoundParameter] = [:]) throws(QueryParseError) -> [Statement] {
        var parser = Parser(text, parameters: parameters)
        return try parser.parseQuery()
    }
}
