import StrataCore

/// InfluxDB 1.x's /query JSON: `{"results":[{"statement_id":0,"series":[...]}]}`, with the
/// member order and the omissions of InfluxDB's Go structs (query.Result, models.Row):
/// `series`, `messages`, `partial`, `error` and a series' `name`, `tags`, `columns`,
/// `values`, `partial` appear only when non-empty or true. docs/http-api.md.
public enum InfluxJSON {
    public struct Options: Sendable, Equatable {
        /// Times as integers in this unit; nil: RFC 3339 strings (InfluxDB's default).
        public var epoch: TimeUnit?
        /// Indented like `json.MarshalIndent(v, "", "    ")`.
        public var pretty: Bool

        public init(epoch: TimeUnit? = nil, pretty: Bool = false) {
            self.epoch = epoch
            self.pretty = pretty
        }
    }

    /// One response (or one chunk of a chunked response), without the trailing newline.
    public static func encode(_ results: [StatementResult], options: Options = Options()) -> String {
        String(decoding: encodeBytes(results, options: options), as: UTF8.self)
    }

    /// `encode`'s UTF-8 bytes, for a response body: no String to build, check and copy again.
    /// `newline` ends them with one, as a non-chunked /query answer does.
    public static func encodeBytes(_ results: [StatementResult], options: Options = Options(), newline: Bool = false)
        -> [UInt8]
    {
        let rows = results.reduce(0) { $0 + $1.series.reduce(0) { $0 + $1.values.count } }
        var w = GoJSONWriter(pretty: options.pretty, capacity: 64 + rows * 48)
        w.beginObject()
        // Go's `omitempty` on Response.Results.
        if !results.isEmpty {
            w.key("results")
            w.beginArray()
            for result in results { write(result, options: options, to: &w) }
            w.endArray()
        }
        w.endObject()
        if newline { w.raw(UInt8(ascii: "\n")) }
        return w.bytes
    }

    /// A whole-request failure: `{"error":"..."}`.
    public static func encodeError(_ message: String, pretty: Bool = false) -> String {
        var w = GoJSONWriter(pretty: pretty)
        w.beginObject()
        w.key("error")
        w.string(message)
        w.endObject()
        return w.text
    }

    static func write(_ result: StatementResult, options: Options, to w: inout GoJSONWriter) {
        w.beginObject()
        w.key("statement_id")
        w.literal(String(result.statementID))
        if !result.series.isEmpty {
            w.key("series")
            w.beginArray()
            for series in result.series { write(series, options: options, to: &w) }
            w.endArray()
        }
        if !result.messages.isEmpty {
            // InfluxDB's messages are {level, text}; Strata's are warnings (deprecations,
            // notices), the only level InfluxDB 1.x emits in practice.
            w.key("messages")
            w.beginArray()
            for message in result.messages {
                w.beginObject()
                w.key("level")
                w.string("warning")
                w.key("text")
                w.string(message)
                w.endObject()
            }
            w.endArray()
        }
        if result.partial {
            w.key("partial")
            w.literal("true")
        }
        if let error = result.error {
            w.key("error")
            w.string(error)
        }
        w.endObject()
    }

    static func write(_ series: ResultSeries, options: Options, to w: inout GoJSONWriter) {
        w.beginObject()
        if !series.name.isEmpty {
            w.key("name")
            w.string(series.name)
        }
        if !series.tags.isEmpty {
            w.key("tags")
            w.beginObject()
            for key in series.tags.keys.sorted() {
                w.key(key)
                w.string(series.tags[key]!)
            }
            w.endObject()
        }
        if !series.columns.isEmpty {
            w.key("columns")
            w.beginArray()
            for column in series.columns { w.string(column) }
            w.endArray()
        }
        if !series.values.isEmpty {
            w.key("values")
            w.beginArray()
            for row in series.values {
                w.beginArray()
                for value in row { write(value, epoch: options.epoch, zone: series.zone, to: &w) }
                w.endArray()
            }
            w.endArray()
        }
        if series.partial {
            w.key("partial")
            w.literal("true")
        }
        w.endObject()
    }

    static func write(_ value: QueryValue, epoch: TimeUnit?, zone: QueryZone? = nil, to w: inout GoJSONWriter) {
        switch value {
        case .null: w.literal("null")
        // JSON has no NaN or infinity and InfluxDB fails the whole response on them
        // ("json: unsupported value: NaN"); one odd value should not cost the rest: null.
        case .float(let x): w.float(x)
        case .integer(let i): w.integer(i)
        case .unsigned(let u): w.integer(u)
        case .string(let s): w.string(s)
        case .boolean(let b): w.literal(b ? "true" : "false")
        case .time(let t):
            if let epoch {
                w.integer(epoch.units(fromNanoseconds: t))
            } else {
                w.string(RFC3339.format(t, in: zone))
            }
        }
    }
}
