/// Parses InfluxQL text into statements. See docs/influxql.md.
public enum QueryParser {
    /// Every statement of `text` (separated by `;`; empty statements skipped). One bad
    /// statement fails the whole text, as in InfluxDB. Empty text is an error.
    public static func parse(_ text: String) throws(QueryParseError) -> [Statement] {
        var parser = Parser(text)
        return try parser.parseQuery()
    }
}
