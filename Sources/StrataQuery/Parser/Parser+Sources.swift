/// FROM sources and dotted names: `m`, `"m"`, `rp.m`, `db.rp.m`, `db..m`, `/re/`, `rp./re/`,
/// `db.rp./re/`, `db../re/` and, in SELECT, `(SELECT …)` subqueries.
extension Parser {
    struct SegmentedIdents {
        var segments: [String]
        /// The last `.` had no name after it because a regex (or `:`) follows it.
        var endsWithDot: Bool
    }

    /// Names joined by dots with nothing between them; `db..m` leaves an empty middle name.
    mutating func parseSegmentedIdents(first: String) throws(QueryParseError) -> SegmentedIdents {
        var segments = [first]
        var endsWithDot = false
        while peek().kind == .dot && !peek().spaceBefore {
            next()
            let following = lexer.peekScalar()
            if following == "/" || following == ":" {
                endsWithDot = true
                break
            }
            // `rp.$re` with a regex bound to `$re` ends like `rp./re/`.
            if following == "$", case .regex? = peek().bound {
                endsWithDot = true
                break
            }
            if following == "." {
                segments.append("")
                continue
            }
            segments.append(try parseIdent())
        }
        if segments.count > 3 {
            throw Self.errorAtStart("too many segments in \(Self.quoteIdent(segments))")
        }
        return SegmentedIdents(segments: segments, endsWithDot: endsWithDot)
    }

    mutating func parseSources() throws(QueryParseError) -> [Source] {
        var sources: [Source] = []
        repeat {
            if let pattern = try scanRegex() {
                sources.append(.measurement(MeasurementRef(regex: pattern)))
            } else if accept(.lparen) != nil {
                try expect(.select)
                try enter()
                subqueryDepth += 1
                if subqueryDepth > Self.maximumSubqueryDepth {
                    throw Self.error("subqueries are nested too deeply (more than \(Self.maximumSubqueryDepth) levels)", at: peek())
                }
                let subquery = try parseSelectStatement()
                subqueryDepth -= 1
                leave()
                try expect(.rparen)
                sources.append(.subquery(subquery))
            } else {
                sources.append(.measurement(try parseNamedMeasurement()))
            }
        } while accept(.comma) != nil
        return sources
    }

    /// FROM lists of SHOW, DROP SERIES and DELETE, which take no subqueries.
    mutating func parseMeasurementRefs() throws(QueryParseError) -> [MeasurementRef] {
        var refs: [MeasurementRef] = []
        repeat {
            refs.append(try parseMeasurementRef())
        } while accept(.comma) != nil
        return refs
    }

    mutating func parseMeasurementRef() throws(QueryParseError) -> MeasurementRef {
        if let pattern = try scanRegex() { return MeasurementRef(regex: pattern) }
        return try parseNamedMeasurement()
    }

    /// A measurement given by name, possibly qualified, possibly ending in a regex.
    private mutating func parseNamedMeasurement() throws(QueryParseError) -> MeasurementRef {
        let idents = try parseSegmentedIdents(first: try parseIdent())
        let s = idents.segments.map { $0.isEmpty ? nil : $0 }
        if s.count == 3 {
            return MeasurementRef(database: s[0], retentionPolicy: s[1], name: s[2])
        }
        let pattern = idents.endsWithDot ? try scanRegex() : nil
        if let pattern {
            return s.count == 1
                ? MeasurementRef(retentionPolicy: s[0], regex: pattern)
                : MeasurementRef(database: s[0], retentionPolicy: s[1], regex: pattern)
        }
        return s.count == 1
            ? MeasurementRef(name: s[0])
            : MeasurementRef(retentionPolicy: s[0], name: s[1])
    }

    /// How InfluxDB prints a dotted name in messages: segments quoted when they need it, and
    /// every segment but the last quoted unless empty.
    static func quoteIdent(_ segments: [String]) -> String {
        var parts: [String] = []
        for (i, segment) in segments.enumerated() {
            let last = segments.count - 1
            let needsQuotes = identNeedsQuotes(segment)
                || (i < last && !segment.isEmpty)
                || ((i == 0 || i == last) && segment.isEmpty)
            var escaped = ""
            for scalar in segment.unicodeScalars {
                switch scalar {
                case "\n": escaped += "\\n"
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            parts.append(needsQuotes ? "\"\(escaped)\"" : escaped)
        }
        return parts.joined(separator: ".")
    }

    private static func identNeedsQuotes(_ ident: String) -> Bool {
        if Keyword.lookup(ident) != nil { return true }
        if ["and", "or", "in", "true", "false"].contains(ident.lowercased()) { return true }
        for (i, scalar) in ident.unicodeScalars.enumerated() {
            if i == 0 && !(Lexer.isLetter(scalar) || scalar == "_") { return true }
            if i > 0 && !Lexer.isIdentChar(scalar) { return true }
        }
        return false
    }
}
