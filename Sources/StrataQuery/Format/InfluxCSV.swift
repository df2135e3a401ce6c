import StrataCore

/// InfluxDB 1.x's CSV answer to /query (`format=csv` or `Accept: text/csv`), as its
/// csvFormatter in services/httpd/response_writer.go writes it:
///
/// - per statement with series, a header `name,tags,<columns>` (the columns start with
///   `time`), then one line per row: the series name, its tags as `k=v,k=v` (sorted, keys
///   and values escaped as in line protocol, empty values left out), then the values;
/// - statements are separated by an empty line, and so are series of one statement whose
///   columns differ (the header is written again); statements without series, and
///   statement errors, write nothing;
/// - times are integers: nanoseconds, or the `epoch` unit; floats never use an exponent
///   (`strconv.FormatFloat(x, 'f', -1, 64)`); nulls are empty fields;
/// - fields are quoted as Go's encoding/csv quotes them, lines end with `\n`.
///
/// A value, not a function, because a chunked response is written by one encoder across
/// chunks: the header of a statement continued in the next chunk is not repeated.
public struct InfluxCSV: Sendable {
    public var epoch: TimeUnit?
    private var statementID = -1
    private var columns: [String] = []

    public init(epoch: TimeUnit? = nil) {
        self.epoch = epoch
    }

    public mutating func encode(_ results: [StatementResult]) -> String {
        var out = ""
        for result in results {
            if result.statementID != statementID {
                guard let first = result.series.first else { continue }
                if statementID >= 0 { out += "\n" }
                statementID = result.statementID
                columns = first.columns
                Self.appendRecord(["name", "tags"] + columns, to: &out)
            }
            for (i, series) in result.series.enumerated() {
                if i > 0, result.series[i - 1].columns != series.columns {
                    out += "\n"
                    columns = series.columns
                    Self.appendRecord(["name", "tags"] + columns, to: &out)
                }
                let tags = Self.tagText(series.tags)
                for row in series.values {
                    Self.appendRecord([series.name, tags] + row.map { text($0) }, to: &out)
                }
            }
        }
        return out
    }

    /// A whole-request failure (a parse error): InfluxDB answers it in CSV too.
    public static func encodeError(_ message: String) -> String {
        var out = ""
        appendRecord(["error"], to: &out)
        appendRecord([message], to: &out)
        return out
    }

    func text(_ value: QueryValue) -> String {
        switch value {
        case .null: ""
        case .float(let x): GoFloat.fixed(x)
        case .integer(let i): String(i)
        case .unsigned(let u): String(u)
        case .string(let s): s
        case .boolean(let b): b ? "true" : "false"
        case .time(let t): String((epoch ?? .nanoseconds).units(fromNanoseconds: t))
        }
    }

    /// models.Tags.HashKey without its leading comma.
    static func tagText(_ tags: [String: String]) -> String {
        tags.keys.sorted().compactMap { key in
            let value = tags[key]!
            return value.isEmpty ? nil : escape(key) + "=" + escape(value)
        }.joined(separator: ",")
    }

    /// pkg/escape.Bytes: `,`, `"`, space and `=` get a backslash.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == " " || $0 == "=" }) else { return s }
        var out = ""
        for c in s {
            if c == "," || c == "\"" || c == " " || c == "=" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func appendRecord(_ fields: [String], to out: inout String) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out += "," }
            if needsQuotes(field) {
                out += "\"" + field.replacingAll("\"", with: "\"\"") + "\""
            } else {
                out += field
            }
        }
        out += "\n"
    }

    /// encoding/csv's fieldNeedsQuotes.
    static func needsQuotes(_ field: String) -> Bool {
        guard let first = field.unicodeScalars.first else { return false }
        if field == #"\."# { return true }
        if field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
            return true
        }
        return first.properties.isWhitespace
    }
}
