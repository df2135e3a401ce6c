/// SHOW, CREATE, DROP and DELETE. The keyword lists in errors are InfluxDB's, in its order, so
/// a typo gets the answer InfluxDB would give.
extension Parser {
    static let showKeywords = ["CONTINUOUS", "DATABASES", "DIAGNOSTICS", "FIELD", "GRANTS", "MEASUREMENT",
                               "MEASUREMENTS", "QUERIES", "RETENTION", "SERIES", "SHARD", "SHARDS",
                               "STATS", "SUBSCRIPTIONS", "TAG", "USERS"]
    static let createKeywords = ["CONTINUOUS", "DATABASE", "USER", "RETENTION", "SUBSCRIPTION"]
    static let dropKeywords = ["CONTINUOUS", "DATABASE", "MEASUREMENT", "RETENTION", "SERIES", "SHARD",
                               "SUBSCRIPTION", "USER"]

    mutating func parseShowStatement() throws(QueryParseError) -> Statement {
        let token = next()
        switch token.kind {
        case .keyword(.databases):
            return .showDatabases
        case .keyword(.measurements):
            return .showMeasurements(try parseShowMeasurements())
        case .keyword(.series):
            if let exact = try parseCardinality() { return .showCardinality(.init(.series(try parseShowSeries()), exact: exact)) }
            return .showSeries(try parseShowSeries())
        case .keyword(.tag):
            let what = next()
            switch what.kind {
            case .keyword(.keys):
                return .showTagKeys(try parseShowTagKeys())
            case .keyword(.values):
                if let exact = try parseCardinality() {
                    return .showCardinality(.init(.tagValues(try parseShowTagValues()), exact: exact))
                }
                return .showTagValues(try parseShowTagValues())
            case .keyword(.key):
                let exact = try parseCardinality(required: true)!
                return .showCardinality(.init(.tagKeys(try parseShowTagKeys()), exact: exact))
            default:
                throw Self.found(what, ["KEY", "KEYS", "VALUES"])
            }
        case .keyword(.field):
            let what = next()
            switch what.kind {
            case .keyword(.keys):
                return .showFieldKeys(try parseShowFieldKeys())
            case .keyword(.key):
                let exact = try parseCardinality(required: true)!
                return .showCardinality(.init(.fieldKeys(try parseShowFieldKeys()), exact: exact))
            default:
                throw Self.found(what, ["KEY", "KEYS"])
            }
        case .keyword(.retention):
            try expect(.policies)
            return .showRetentionPolicies(database: try parseOn())
        case .keyword(.continuous):
            try expect(.queries)
            throw Self.unsupported("SHOW CONTINUOUS QUERIES")
        case .keyword(.grants):
            try expect(.for)
            throw Self.unsupported("SHOW GRANTS")
        case .keyword(.measurement):
            let exact = try parseCardinality(required: true)!
            return .showCardinality(.init(.measurements(try parseShowMeasurementCardinality()), exact: exact))
        case .keyword(.shard):
            try expect(.groups)
            throw Self.unsupported("SHOW SHARD GROUPS")
        case .keyword(.shards):
            return .showShards
        case .keyword(.queries):
            return .showQueries
        case .keyword(let keyword) where [.diagnostics, .stats, .subscriptions, .users].contains(keyword):
            throw Self.unsupported("SHOW \(keyword.rawValue)")
        case .ident where token.text.uppercased() == "ROLLUPS":
            return .showRollups(database: try parseOn())
        default:
            throw Self.found(token, Self.showKeywords)
        }
    }

    /// `[EXACT] CARDINALITY`: whether EXACT was given; nil where neither word follows (and
    /// none is `required`).
    private mutating func parseCardinality(required: Bool = false) throws(QueryParseError) -> Bool? {
        let exact = accept(.exact)
        guard exact || required || peek().isKeyword(.cardinality) else { return nil }
        try expect(.cardinality)
        return exact
    }

    /// `SHOW MEASUREMENT [EXACT] CARDINALITY [ON db] [FROM …] [WHERE …] [LIMIT n] [OFFSET n]`:
    /// FROM where SHOW MEASUREMENTS has `WITH MEASUREMENT`, one source.
    private mutating func parseShowMeasurementCardinality() throws(QueryParseError) -> ShowMeasurements {
        var show = ShowMeasurements()
        show.database = try parseOn()
        let sources = try parseOptionalFrom()
        guard sources.count <= 1 else { throw Self.unsupported("SHOW MEASUREMENT CARDINALITY FROM several sources") }
        show.source = sources.first
        show.condition = try parseCondition()
        try parsePage(into: &show.filter)
        return show
    }

    /// `ON db`, if present.
    private mutating func parseOn() throws(QueryParseError) -> String? {
        guard accept(.on) else { return nil }
        return try parseIdent()
    }

    private mutating func parseOptionalFrom() throws(QueryParseError) -> [MeasurementRef] {
        guard accept(.from) else { return [] }
        return try parseMeasurementRefs()
    }

    private mutating func parseShowMeasurements() throws(QueryParseError) -> ShowMeasurements {
        var show = ShowMeasurements()
        if accept(.on) {
            let database = next()
            switch database.kind {
            case .ident: show.database = database.text
            case .mul: throw Self.unsupported("SHOW MEASUREMENTS ON *")
            default: throw Self.found(database, ["identifier or *"])
            }
            if peek().kind == .dot { throw Self.unsupported("SHOW MEASUREMENTS ON a retention policy") }
        }
        if accept(.with) {
            try expect(.measurement)
            let op = next()
            guard op.kind == .eq || op.kind == .eqRegex else { throw Self.found(op, ["=", "=~"]) }
            show.source = try parseMeasurementRef()
        }
        try parseShowTail(into: &show.filter, where: true)
        return show
    }

    private mutating func parseShowSeries() throws(QueryParseError) -> ShowSeries {
        var show = ShowSeries(database: try parseOn(), sources: try parseOptionalFrom())
        try parseShowTail(into: &show, where: true)
        return show
    }

    private mutating func parseShowTagKeys() throws(QueryParseError) -> ShowTagKeys {
        var show = ShowTagKeys(database: try parseOn(), sources: try parseOptionalFrom())
        if peek().isKeyword(.with) { throw Self.unsupported("SHOW TAG KEYS WITH KEY") }
        try parseShowTail(into: &show, where: true)
        return show
    }

    private mutating func parseShowTagValues() throws(QueryParseError) -> ShowTagValues {
        let database = try parseOn()
        let sources = try parseOptionalFrom()
        var show = ShowTagValues(database: database, sources: sources, key: try parseTagKeyFilter())
        try parseShowTail(into: &show.filter, where: true)
        return show
    }

    /// `[WHERE …] [ORDER BY time …] [LIMIT n] [OFFSET n]`, the end every SHOW over series
    /// shares (`ShowFilter`); ORDER BY is read and ignored, as InfluxDB does.
    private mutating func parseShowTail(into filter: inout ShowFilter, where hasWhere: Bool) throws(QueryParseError) {
        if hasWhere { filter.condition = try parseCondition() }
        _ = try parseOrderBy()
        try parsePage(into: &filter)
    }

    /// `[LIMIT n] [OFFSET n]`.
    private mutating func parsePage(into filter: inout ShowFilter) throws(QueryParseError) {
        filter.limit = try parseOptionalInt(after: .limit)
        filter.offset = try parseOptionalInt(after: .offset)
    }

    /// `WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (k1, k2, …)`.
    private mutating func parseTagKeyFilter() throws(QueryParseError) -> ShowTagValues.KeyFilter {
        try expect(.with)
        try expect(.key)
        let op = next()
        switch op.kind {
        case .in:
            try expect(.lparen)
            var keys = [try parseIdent()]
            while accept(.comma) != nil {
                keys.append(try parseIdent())
            }
            try expect(.rparen)
            return .isIn(keys)
        case .eq:
            return .equal(try parseIdent())
        case .neq:
            return .notEqual(try parseIdent())
        case .eqRegex, .neqRegex:
            guard let pattern = try scanRegex() else { throw Self.found(next(), ["regex"]) }
            return op.kind == .eqRegex ? .matches(pattern) : .notMatches(pattern)
        default:
            throw Self.found(op, ["IN", "=", "=~"])
        }
    }

    private mutating func parseShowFieldKeys() throws(QueryParseError) -> ShowFieldKeys {
        var show = ShowFieldKeys(database: try parseOn(), sources: try parseOptionalFrom())
        try parseShowTail(into: &show, where: false)
        return show
    }

    // MARK: CREATE, DROP, DELETE

    mutating func parseCreateStatement() throws(QueryParseError) -> Statement {
        let token = next()
        switch token.kind {
        case .keyword(.database):
            let name = try parseIdent()
            guard accept(.with) else { return .createDatabase(name) }
            return .createDatabase(name, with: try parseDatabasePolicy())
        case .keyword(.continuous):
            try expect(.query)
            throw Self.unsupported("CREATE CONTINUOUS QUERY")
        case .keyword(.retention):
            try expect(.policy)
            return .createRetentionPolicy(try parseCreateRetentionPolicy())
        case .keyword(.user):
            throw Self.unsupported("CREATE USER")
        case .keyword(.subscription):
            throw Self.unsupported("CREATE SUBSCRIPTION")
        default:
            throw Self.found(token, Self.createKeywords)
        }
    }

    mutating func parseDropStatement() throws(QueryParseError) -> Statement {
        let token = next()
        switch token.kind {
        case .keyword(.series):
            return .dropSeries(try parseDropSeries())
        case .keyword(.continuous):
            try expect(.query)
            throw Self.unsupported("DROP CONTINUOUS QUERY")
        case .keyword(.retention):
            try expect(.policy)
            return try parseDropRetentionPolicy()
        case .keyword(.database):
            return .dropDatabase(try parseIdent())
        case .keyword(.measurement):
            return .dropMeasurement(try parseIdent())
        case .keyword(let keyword) where [.shard, .subscription, .user].contains(keyword):
            throw Self.unsupported("DROP \(keyword.rawValue)")
        default:
            throw Self.found(token, Self.dropKeywords)
        }
    }

    private mutating func parseDropSeries() throws(QueryParseError) -> DropSeries {
        let start = peek()
        var drop = DropSeries()
        if accept(.from) {
            drop.sources = try parseMeasurementRefs()
            // Series are dropped from the current database across all retention policies.
            // InfluxDB checks every source and reports the last problem it saw.
            var problem: String?
            for source in drop.sources {
                if source.database != nil { problem = "database not supported" }
                if source.retentionPolicy != nil { problem = "retention policy not supported" }
            }
            if let problem { throw Self.errorAtStart(problem) }
        }
        drop.condition = try parseCondition()
        if drop.sources.isEmpty && drop.condition == nil {
            throw Self.found(start, ["FROM", "WHERE"])
        }
        return drop
    }

    mutating func parseDeleteStatement() throws(QueryParseError) -> DeleteStatement {
        let start = peek()
        var delete = DeleteStatement()
        if accept(.from) {
            delete.sources = try parseMeasurementRefs()
            for source in delete.sources where source.database != nil {
                throw Self.errorAtStart("database not supported")
            }
        }
        delete.condition = try parseCondition()
        if delete.sources.isEmpty && delete.condition == nil {
            throw Self.found(start, ["FROM", "WHERE"])
        }
        return delete
    }
}
