/// The raw retention policies of one database, in InfluxDB's model (docs/retention.md,
/// "Retention policies"): each raw policy holds its own series and points, and one is the
/// DEFAULT that writes and queries use when they name none.
///
/// Each raw policy's data lives in a *store*, an engine database of its own with its own
/// `DatabaseRetention`. The first policy's store is the database itself, so a data
/// directory from before policies existed reads unchanged (its data is autogen's); every
/// other policy `p` of database `d` stores into `d/p`, a name no database can have (names
/// with '/' are refused).
public struct RetentionPolicies: Sendable, Codable, Equatable {
    /// Raw policy names in creation order; the first's store is the database itself.
    public private(set) var names: [String]
    /// One of `names`.
    public private(set) var defaultPolicy: String

    /// A database with one raw policy, `name`, its default.
    public init(base name: String = DatabaseRetention.rawPolicyName) {
        names = [name]
        defaultPolicy = name
    }

    public static let standard = RetentionPolicies()

    /// The policy whose store is the database itself; it cannot be dropped.
    public var base: String { names[0] }

    public func contains(_ policy: String) -> Bool { names.contains(policy) }

    /// Where `policy`'s data lives, or nil when the database has no such raw policy.
    public func store(of policy: String, database: String) -> String? {
        guard contains(policy) else { return nil }
        return policy == base ? database : Self.store(database: database, policy: policy)
    }

    /// Every policy's store, base first.
    public func stores(database: String) -> [(policy: String, store: String)] {
        names.map { ($0, store(of: $0, database: database)!) }
    }

    public mutating func add(_ policy: String) {
        if !contains(policy) { names.append(policy) }
    }

    /// Removes a policy other than the base; the base becomes the default if it was.
    public mutating func remove(_ policy: String) {
        guard policy != base else { return }
        names.removeAll { $0 == policy }
        if defaultPolicy == policy { defaultPolicy = base }
    }

    public mutating func setDefault(_ policy: String) {
        if contains(policy) { defaultPolicy = policy }
    }

    static func store(database: String, policy: String) -> String { database + "/" + policy }

    /// The database and policy of a store that is not a database itself.
    static func split(store: String) -> (database: String, policy: String)? {
        guard let slash = store.firstIndex(of: "/") else { return nil }
        return (String(store[..<slash]), String(store[store.index(after: slash)...]))
    }
}
