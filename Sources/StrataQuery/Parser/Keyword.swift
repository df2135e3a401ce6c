/// InfluxQL's reserved words (InfluxDB 1.x `token.go`). A bare identifier spelled like one of
/// these, in any case, is the keyword, so names such as `name` or `field` must be quoted.
enum Keyword: String, Sendable, CaseIterable {
    case all = "ALL", alter = "ALTER", analyze = "ANALYZE", any = "ANY", `as` = "AS", asc = "ASC"
    case begin = "BEGIN", by = "BY", cardinality = "CARDINALITY", create = "CREATE"
    case continuous = "CONTINUOUS", database = "DATABASE", databases = "DATABASES"
    case `default` = "DEFAULT", delete = "DELETE", desc = "DESC", destinations = "DESTINATIONS"
    case diagnostics = "DIAGNOSTICS", distinct = "DISTINCT", drop = "DROP", duration = "DURATION"
    case end = "END", every = "EVERY", exact = "EXACT", explain = "EXPLAIN", field = "FIELD"
    case `for` = "FOR", from = "FROM", grant = "GRANT", grants = "GRANTS", group = "GROUP"
    case groups = "GROUPS", inf = "INF", insert = "INSERT", into = "INTO", key = "KEY", keys = "KEYS"
    case kill = "KILL", limit = "LIMIT", measurement = "MEASUREMENT", measurements = "MEASUREMENTS"
    case name = "NAME", offset = "OFFSET", on = "ON", order = "ORDER", password = "PASSWORD"
    case policy = "POLICY", policies = "POLICIES", privileges = "PRIVILEGES", queries = "QUERIES"
    case query = "QUERY", read = "READ", replication = "REPLICATION", resample = "RESAMPLE"
    case retention = "RETENTION", revoke = "REVOKE", select = "SELECT", series = "SERIES"
    case set = "SET", show = "SHOW", shard = "SHARD", shards = "SHARDS", slimit = "SLIMIT"
    case soffset = "SOFFSET", stats = "STATS", subscription = "SUBSCRIPTION"
    case subscriptions = "SUBSCRIPTIONS", tag = "TAG", to = "TO", user = "USER", users = "USERS"
    case values = "VALUES", `where` = "WHERE", with = "WITH", write = "WRITE"

    private static let byLowercasedName: [String: Keyword] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue.lowercased(), $0) })

    static func lookup(_ word: String) -> Keyword? {
        byLowercasedName[word.lowercased()]
    }
}
