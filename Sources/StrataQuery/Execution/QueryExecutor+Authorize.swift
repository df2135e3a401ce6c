import StrataCore

/// The authorization model of docs/auth.md, enforced where statements run.
extension QueryExecutor {
    /// Refuses the whole list if the principal may not run one of its statements, before
    /// any runs (InfluxDB 1.x does the same).
    public func authorize(_ statements: [Statement]) throws(QueryAuthorizationError) {
        for statement in statements {
            if let refusal = refusal(statement) { throw refusal }
        }
    }

    /// Why the principal may not run `statement`, nil when it may.
    func refusal(_ statement: Statement) -> QueryAuthorizationError? {
        let needed = statement.privilege
        guard principal.privileges.contains(needed) || principal.privileges.contains(.admin) else {
            return QueryAuthorizationError("\(principal.name) lacks the \(needed.rawValue) scope needed for \(statement.keyword)")
        }
        guard principal.devices != nil else { return nil }
        // Statements that act on or describe every device's data at once cannot be narrowed
        // to some devices, so a device-limited principal may not run them at all.
        switch statement {
        case .createDatabase, .dropDatabase, .createRetentionPolicy, .alterRetentionPolicy, .dropRetentionPolicy,
             .showShards, .showQueries, .killQuery:
            return QueryAuthorizationError(
                "\(principal.name) is limited to some devices; \(statement.keyword) acts on every device")
        default:
            return nil
        }
    }

    /// Whether the principal may know `database` exists: every database for an unlimited
    /// principal; for a device-limited one, those holding at least one of its series.
    func isVisible(_ database: String) -> Bool {
        guard let restriction else { return true }
        return engine.stores(database: database).contains { engine.hasSeries(database: $0.store, where: restriction) }
    }

    /// Whether `database` exists for the principal: it exists, and for a device-limited
    /// principal holds at least one of its series.
    public func sees(database: String) -> Bool {
        engine.databaseExists(database) && isVisible(database)
    }

    /// `name`, if it names a database the principal can see; otherwise the same error as
    /// for a database that does not exist, so names are not probed through errors.
    func requireDatabase(_ name: String?) throws(QueryError) -> String {
        guard let name, !name.isEmpty else { throw QueryError("database name required") }
        guard engine.databaseExists(name), isVisible(name) else { throw QueryError("database not found: \(name)") }
        return name
    }

    /// The store a statement reads (`StorageEngine.store`): `policy` of `database` (the
    /// request's database when nil). Without a policy: the request's `rp` when the database
    /// is the request's, as InfluxDB applies it, else the database's default policy.
    func requireStore(_ database: String?, policy: String?, requestDatabase: String?) throws(QueryError) -> String {
        let db = try requireDatabase(database ?? requestDatabase)
        let name = policy ?? (db == requestDatabase ? defaultPolicy : nil)
        do { return try engine.store(database: db, policy: name) } catch { throw QueryError(error.description) }
    }
}
