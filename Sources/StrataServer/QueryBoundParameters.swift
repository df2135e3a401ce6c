import StrataQuery

/// InfluxDB's bound parameters: `params={"d":"robot-0001","b":92}` with `$d` and `$b` in `q`
/// (the influxdb Python client's `bind_params`). The parser has no parameter map, so each
/// `$name` outside quoted strings, quoted identifiers, regexes and comments is replaced by
/// the InfluxQL literal of its value before parsing, which is what InfluxDB's parser does
/// when it meets the token: a string becomes a string literal, a number a number, a boolean
/// a boolean; `{"identifier":"x"}` an identifier, `{"regex":"..."}` a regex, and
/// `{"string"|"integer"|"float"|"boolean"|"duration": v}` those literals. A `$name` with no
/// value is InfluxDB's parse error `missing parameter: name`.
enum QueryBoundParameters {
    /// `params` as InfluxDB reads it; a JSON error is its 400 `error parsing query parameters: ...`.
    static func parse(_ text: String) throws(InfluxHTTPError) -> [String: String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw InfluxHTTPError(.badRequest, "error parsing query parameters: \(error)")
        }
        guard case .object(let members) = value else {
            throw InfluxHTTPError(.badRequest, "error parsing query parameters: not a JSON object")
        }
        var literals: [String: String] = [:]
        for (name, value) in members {
            guard let literal = self.literal(value) else {
                throw InfluxHTTPError(.badRequest, "error parsing query parameters: unable to bind parameter \(name)")
            }
            literals[name] = literal
        }
        return literals
    }

    static func literal(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return quoted(s, by: "'")
        case .number(let n):
            // InfluxDB: a number with a '.' is a float, otherwise an integer.
            if n.contains(".") { return Double(n).map(GoFloat.fixed) }
            return Int64(n).map { String($0) }
        case .bool(let b): return b ? "true" : "false"
        case .object(let members) where members.count == 1:
            let (kind, inner) = members[0]
            switch (kind, inner) {
            case ("identifier", .string(let s)): return quoted(s, by: "\"")
            case ("regex", .string(let s)): return "/" + s.replacingAll("/", with: "\\/") + "/"
            case ("string", .string(let s)): return quoted(s, by: "'")
            case ("duration", .string(let s)): return s
            case ("integer", _), ("float", _), ("boolean", _), ("number", _): return literal(inner)
            default: return nil
            }
        default: return nil
        }
    }

    static func quoted(_ s: String, by quote: Character) -> String {
        var out = String(quote)
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case quote: out += "\\" + String(quote)
            default: out.append(c)
            }
        }
        out.append(quote)
        return out
    }

    /// `q` with every `$name` replaced by its literal.
    static func substitute(_ q: String, _ literals: [String: String]) throws(QueryParseError) -> String {
        guard q.contains("$") else { return q }
        let chars = Array(q)
        var out = ""
        var i = 0
        var previousWord = ""
        var previousSignificant: Character?
        func isIdent(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'", "\"":
                let end = closing(chars, from: i, quote: c)
                out += String(chars[i..<end])
                i = end
                previousSignificant = c
                previousWord = ""
                continue
            case "-" where i + 1 < chars.count && chars[i + 1] == "-":
                while i < chars.count, chars[i] != "\n" { out.append(chars[i]); i += 1 }
                continue
            case "/":
                // A regex follows an operator, `(`, `,` or FROM; a division follows an operand.
                let afterOperand = previousSignificant.map { isIdent($0) || $0 == ")" || $0 == "'" || $0 == "\"" } ?? false
                if !afterOperand || previousWord.uppercased() == "FROM" {
                    let end = closing(chars, from: i, quote: "/")
                    out += String(chars[i..<end])
                    i = end
                    previousSignificant = "/"
                    previousWord = ""
                    continue
                }
            case "$":
                var j = i + 1
                var name = ""
                if j < chars.count, chars[j] == "\"" {
                    let end = closing(chars, from: j, quote: "\"")
                    name = String(chars[(j + 1)..<max(j + 1, end - 1)]).replacingAll("\\", with: "")
                    j = end
                } else {
                    while j < chars.count, isIdent(chars[j]) { j += 1 }
                    name = String(chars[(i + 1)..<j])
                }
                guard !name.isEmpty else { break }
                guard let literal = literals[name] else { throw QueryParseError("missing parameter: \(name)") }
                out += literal
                i = j
                previousSignificant = "'"
                previousWord = ""
                continue
            default:
                break
            }
            out.append(c)
            if isIdent(c) {
                previousWord = i > 0 && isIdent(chars[i - 1]) ? previousWord + String(c) : String(c)
                previousSignificant = c
            } else if !c.isWhitespace {
                previousWord = ""
                previousSignificant = c
            }
            i += 1
        }
        return out
    }

    /// Index just past the quote closing the one at `start` (backslash escapes honoured), or
    /// the end of the text.
    private static func closing(_ chars: [Character], from start: Int, quote: Character) -> Int {
        var i = start + 1
        while i < chars.count {
            if chars[i] == "\\" {
                i += 2
                continue
            }
            if chars[i] == quote { return i + 1 }
            i += 1
        }
        return chars.count
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
