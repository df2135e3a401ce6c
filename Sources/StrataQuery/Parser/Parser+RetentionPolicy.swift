import StrataCore

/// CREATE, ALTER and DROP RETENTION POLICY, in InfluxDB 1.x's grammar and wording, plus
/// Strata's `ROLLUP <resolution>` (docs/influxql.md, "Retention policies").
extension Parser {
    /// After `CREATE RETENTION POLICY`.
    mutating func parseCreateRetentionPolicy() throws(QueryParseError) -> CreateRetentionPolicy {
        let (name, database) = try parsePolicyNameOnDatabase()
        try expect(Keyword.duration)
        let duration = try parsePolicyDuration()
        try expect(.replication)
        var create = CreateRetentionPolicy(name: name, database: database, duration: duration,
                                           replication: try parseReplication())
        if accept(.shard) { create.shardDuration = try parseShardDuration() }
        if accept(.default) { create.isDefault = true }
        if peek().kind == .ident, peek().text.uppercased() == "ROLLUP" {
            next()
            create.rollup = try parseFiniteDuration(what: "rollup resolution")
        }
        return create
    }

    /// After `ALTER RETENTION POLICY`: at least one option, each at most once, any order.
    mutating func parseAlterRetentionPolicy() throws(QueryParseError) -> AlterRetentionPolicy {
        let (name, database) = try parsePolicyNameOnDatabase()
        var alter = AlterRetentionPolicy(name: name, database: database)
        var options = 0
        while options < 4 {
            let token = peek()
            switch token.kind {
            case .keyword(.duration):
                next()
                alter.duration = .some(try parsePolicyDuration())
            case .keyword(.replication):
                next()
                alter.replication = try parseReplication()
            case .keyword(.shard):
                next()
                alter.shardDuration = try parseShardDuration()
            case .keyword(.default):
                next()
                alter.isDefault = true
            default:
                if options == 0 { throw Self.found(token, ["DURATION", "REPLICATION", "SHARD", "DEFAULT"]) }
                return alter
            }
            options += 1
        }
        return alter
    }

    /// After `CREATE DATABASE <name> WITH`: `[DURATION d] [REPLICATION n] [SHARD DURATION d]
    /// [NAME rp]`, in that order, at least one.
    mutating func parseDatabasePolicy() throws(QueryParseError) -> DatabasePolicySpec {
        var spec = DatabasePolicySpec()
        let first = peek()
        if accept(Keyword.duration) { spec.duration = .some(try parsePolicyDuration()) }
        if accept(.replication) { spec.replication = try parseReplication() }
        if accept(.shard) { spec.shardDuration = try parseShardDuration() }
        if accept(.name) { spec.name = try parseIdent() }
        if spec == DatabasePolicySpec() { throw Self.found(first, ["DURATION", "REPLICATION", "SHARD", "NAME"]) }
        return spec
    }

    /// After `DROP RETENTION POLICY`.
    mutating func parseDropRetentionPolicy() throws(QueryParseError) -> Statement {
        let (name, database) = try parsePolicyNameOnDatabase()
        return .dropRetentionPolicy(name: name, database: database)
    }

    private mutating func parsePolicyNameOnDatabase() throws(QueryParseError) -> (String, String) {
        let name = try parseIdent()
        try expect(.on)
        return (name, try parseIdent())
    }

    /// A duration or INF; nil for INF and for `0s`, which InfluxDB stores as infinite.
    private mutating func parsePolicyDuration() throws(QueryParseError) -> Int64? {
        if accept(.inf) { return nil }
        let d = try parseFiniteDuration(what: "duration")
        return d == 0 ? nil : d
    }

    /// `DURATION <d>` after `SHARD`; INF is refused as InfluxDB refuses it.
    private mutating func parseShardDuration() throws(QueryParseError) -> Int64 {
        try expect(Keyword.duration)
        if peek().isKeyword(.inf) { throw Self.error("invalid duration INF for shard duration", at: peek()) }
        return try parseFiniteDuration(what: "duration")
    }

    private mutating func parseFiniteDuration(what: String) throws(QueryParseError) -> Int64 {
        let token = next()
        guard token.kind == .duration else { throw Self.found(token, [what]) }
        switch token.durationValue {
        case .success(let ns) where ns < 0:
            // Only a bound duration can be negative; a policy cannot keep data for less than 0.
            throw Self.error(DurationText.Failure.invalid.message, at: token)
        case .success(let ns): return ns
        case .failure(let failure): throw Self.error(failure.message, at: token)
        }
    }

    /// `REPLICATION n`'s n, 1 ≤ n ≤ 2³¹−1 as InfluxDB parses it (the executor then wants 1).
    private mutating func parseReplication() throws(QueryParseError) -> Int {
        let token = next()
        guard token.kind == .integer else { throw Self.found(token, ["integer"]) }
        guard let n = Int(token.text), (1...Int(Int32.max)).contains(n) else {
            throw Self.error("invalid value \(token.text): must be 1 <= n <= \(Int32.max)", at: token)
        }
        return n
    }
}
