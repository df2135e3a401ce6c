import StrataQuery

/// InfluxDB's bound parameters: `params={"d":"robot-0001","b":92}` with `$d` and `$b` in `q`
/// (the influxdb Python client's `bind_params`). This only reads the JSON into values; the
/// parser binds them (`QueryParser.parse(_:parameters:)`) by replacing each `$name` token with
/// a token holding the value, as InfluxDB's parser does. Values are never written into the
/// query text: pasting them in would make every quote, backslash or `/` in a value a way to
/// end the literal and write more query (and a regex ending in `\` cannot be written at all).
///
/// A string becomes a string, a number with a '.' a float, another number an integer, a
/// boolean a boolean; `{"identifier":"x"}` an identifier, `{"regex":"..."}` a regex, and
/// `{"string"|"integer"|"float"|"boolean"|"number"|"duration": v}` those values.
enum QueryBoundParameters {
    /// `params` as InfluxDB reads it; a JSON error is its 400 `error parsing query parameters: ...`.
    static func parse(_ text: String) throws(InfluxHTTPError) -> [String: BoundParameter] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw InfluxHTTPError(.badRequest, "error parsing query parameters: \(error)")
        }
        guard case .object(let members) = value else {
            throw InfluxHTTPError(.badRequest, "error parsing query parameters: not a JSON object")
        }
        var parameters: [String: BoundParameter] = [:]
        for (name, value) in members {
            guard let parameter = self.parameter(value) else {
                throw InfluxHTTPError(.badRequest, "error parsing query parameters: unable to bind parameter \(name)")
            }
            parameters[name] = parameter
        }
        return parameters
    }

    static func parameter(_ value: JSONValue) -> BoundParameter? {
        switch value {
        case .string(let s): return .string(s)
        case .number(let n):
            // InfluxDB: a number with a '.' is a float, otherwise an integer.
            if n.contains(".") { return Double(n).map(BoundParameter.float) }
            return Int64(n).map(BoundParameter.integer)
        case .bool(let b): return .boolean(b)
        case .object(let members) where members.count == 1:
            let (kind, inner) = members[0]
            switch (kind, inner) {
            case ("identifier", .string(let s)): return .identifier(s)
            case ("regex", .string(let s)): return .regex(s)
            case ("string", .string(let s)): return .string(s)
            case ("duration", .string(let s)): return BoundParameter.duration(parsing: s)
            case ("integer", _), ("float", _), ("boolean", _), ("number", _): return parameter(inner)
            default: return nil
            }
        default: return nil
        }
    }
}
