import StrataCore

/// Reads an InfluxDB 1.x /query JSON answer back into results, for the CLI talking to a
/// server (and for tests). JSON drops what tells some values apart, so:
///
/// - numbers with a fraction or exponent are floats; others are integers, or unsigned
///   above Int64.max (an integral float such as `12` comes back as the integer 12);
/// - values of a column named `time` become times: RFC 3339 strings, or integers in the
///   unit of `epoch` when the request asked for one.
public enum InfluxJSONDecoder {
    public struct Response: Sendable, Equatable {
        public var results: [StatementResult]
        /// A whole-request failure (`{"error":"..."}`), such as a parse error.
        public var error: String?
    }

    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func decode(_ text: String, epoch: TimeUnit? = nil) throws(DecodingError) -> Response {
        let root: JSONValue
        do {
            root = try JSONScanner.parse(text)
        } catch {
            throw DecodingError(description: error.description)
        }
        guard case .object = root else { throw DecodingError(description: "the answer is not a JSON object") }
        var response = Response(results: [], error: nil)
        if case .string(let message)? = root["error"] { response.error = message }
        if case .array(let results)? = root["results"] {
            for (index, result) in results.enumerated() {
                response.results.append(try statement(result, index: index, epoch: epoch))
            }
        }
        return response
    }

    static func statement(_ json: JSONValue, index: Int, epoch: TimeUnit?) throws(DecodingError) -> StatementResult {
        guard case .object = json else { throw DecodingError(description: "results[\(index)] is not an object") }
        var result = StatementResult(statementID: index)
        if case .number(let id)? = json["statement_id"], let n = Int(id) { result.statementID = n }
        if case .string(let error)? = json["error"] { result.error = error }
        if case .bool(let partial)? = json["partial"] { result.partial = partial }
        if case .array(let messages)? = json["messages"] {
            result.messages = messages.compactMap { message in
                if case .string(let text)? = message["text"] { return text }
                if case .string(let text) = message { return text }
                return nil
            }
        }
        if case .array(let series)? = json["series"] {
            for s in series { result.series.append(try self.series(s, epoch: epoch)) }
        }
        return result
    }

    static func series(_ json: JSONValue, epoch: TimeUnit?) throws(DecodingError) -> ResultSeries {
        guard case .object = json else { throw DecodingError(description: "a series is not an object") }
        var series = ResultSeries(name: "", columns: [], values: [])
        if case .string(let name)? = json["name"] { series.name = name }
        if case .object(let tags)? = json["tags"] {
            for (key, value) in tags {
                if case .string(let v) = value { series.tags[key] = v }
            }
        }
        if case .array(let columns)? = json["columns"] {
            series.columns = columns.map { if case .string(let s) = $0 { s } else { "" } }
        }
        if case .bool(let partial)? = json["partial"] { series.partial = partial }
        let timeColumn = series.columns.firstIndex(of: "time")
        if case .array(let rows)? = json["values"] {
            for row in rows {
                guard case .array(let cells) = row else { throw DecodingError(description: "a row is not an array") }
                series.values.append(cells.enumerated().map { i, cell in
                    value(cell, isTime: i == timeColumn, epoch: epoch)
                })
            }
        }
        return series
    }

    static func value(_ json: JSONValue, isTime: Bool, epoch: TimeUnit?) -> QueryValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .boolean(b)
        case .string(let s):
            if isTime, let t = RFC3339.parse(s) { return .time(t) }
            return .string(s)
        case .number(let text):
            if let i = Int64(text) {
                if isTime {
                    let (t, overflow) = i.multipliedReportingOverflow(by: (epoch ?? .nanoseconds).nanosecondsPerUnit)
                    if !overflow { return .time(t) }
                }
                return .integer(i)
            }
            if let u = UInt64(text) { return .unsigned(u) }
            return .float(Double(text) ?? .nan)
        case .array, .object:
            // Not an InfluxDB cell; keep the text visible rather than fail the whole answer.
            return .string("\(json)")
        }
    }
}
