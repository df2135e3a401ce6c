// See docs/retention.md ("Retention policies") and docs/format/wal.md ("Tombstone payload").

/// A database's raw retention policies (`RetentionPolicies`): each policy's data is a store,
/// an engine database of its own, so writes, reads, compaction and retention work on stores
/// unchanged; these calls keep the catalogue and create and drop stores.
extension StorageEngine {
    public func retentionPolicies(database: String) -> RetentionPolicies {
        state.withLock { $0.manifest.policies[database] } ?? .standard
    }

    /// The store that `policy` of `database` writes to and reads from; nil `policy`: the
    /// database's default. Throws `databaseNotFound` or `policyNotFound`.
    public func store(database: String, policy: String?) throws(EngineError) -> String {
        let policies = try state.withLock { s throws(EngineError) -> RetentionPolicies in
            guard !database.contains("/"), s.manifest.databases.contains(database) else {
                throw .databaseNotFound(database)
            }
            return s.manifest.policies[database] ?? .standard
        }
        let name = policy ?? policies.defaultPolicy
        guard let store = policies.store(of: name, database: database) else { throw .policyNotFound(name) }
        return store
    }

    /// Every raw policy of `database` with its store, the base first; empty when the
    /// database does not exist.
    public func stores(database: String) -> [(policy: String, store: String)] {
        guard databaseExists(database) else { return [] }
        return retentionPolicies(database: database).stores(database: database)
    }

    /// Creates raw policy `name` of `database` with `retention`, or sets the retention of
    /// the one that exists, in one manifest save; `makeDefault` makes it the default.
    /// Refused as `setRetention` refuses. Blocks the calling thread for the save.
    @available(*, noasync)
    public func setRawPolicy(_ name: String, database: String, retention: DatabaseRetention,
                             makeDefault: Bool) throws {
        try Self.validatePolicyName(name)
        if let reason = retention.validationError() { throw EngineError.invalidRetention(reason) }
        _ = try manifestSaves.runBlocking { try performManifestSave(prepare: { s throws -> (Manifest, Void)? in
            guard !s.closed else { throw EngineError.closed }
            guard !database.contains("/"), s.manifest.databases.contains(database) else {
                throw EngineError.databaseNotFound(database)
            }
            var policies = s.manifest.policies[database] ?? .standard
            policies.add(name)
            if makeDefault { policies.setDefault(name) }
            let store = policies.store(of: name, database: database)!
            try s.checkPartitionChange(store: store, to: retention, default: options.defaultRetention)
            var manifest = s.manifest
            manifest.policies[database] = policies
            manifest.retention[store] = retention
            if !manifest.databases.contains(store) {
                manifest.databases.append(store)
                manifest.databases.sort()
                // As `createDatabase`: a store made again starts with nothing cut.
                manifest.cuts[store] = nil
            }
            return (manifest, ())
        }, commit: { s, saved, _ in s.adopt(saved) }) }
    }

    /// Drops raw policy `name` of `database` and all its data; the base policy cannot be
    /// dropped (`invalidRetention`). Nothing happens for a policy that does not exist.
    public func dropRawPolicy(_ name: String, database: String) async throws {
        let policies = retentionPolicies(database: database)
        guard databaseExists(database), let store = policies.store(of: name, database: database) else { return }
        guard name != policies.base else {
            throw EngineError.invalidRetention("\(name) is the first retention policy of \(database), whose data "
                + "is the database's own; it cannot be dropped (DROP DATABASE drops it)")
        }
        try await dropStore(store)
    }

    /// DROP DATABASE: every raw policy's data, then the database. Nothing happens for a
    /// database that does not exist. Each store goes in a durable step of its own (a WAL
    /// record), the base last, so a crash midway leaves the database with fewer policies.
    public func dropDatabase(_ name: String) async throws {
        for (_, store) in stores(database: name).reversed() { try await dropStore(store) }
    }

    /// Drops every series of `store` and the store itself: a WAL tombstone over all time
    /// flagged `dropsStore`, applied in sequence order with writes, then a manifest save.
    func dropStore(_ store: String) async throws {
        let keys = try state.withLock { s throws -> [SeriesKey] in
            guard !s.closed else { throw EngineError.closed }
            return s.seriesKeys(store: store)
        }
        let tombstone = Tombstone(sequence: 0, database: store, keys: keys, range: nil, dropsStore: true)
        let payload = WALTombstoneCodec.encode(tombstone)
        guard payload.count <= WALFormat.maxPayloadSize else { throw EngineError.deleteTooLarge(series: keys.count) }
        _ = try await wal.append(type: .tombstone, payload: payload) { [self] sequence in
            let now = options.clock.seconds()
            var applied = tombstone
            applied.sequence = sequence
            state.withLock { $0.apply(applied, now: now) }
        }
        // A save prepared before the drop may have been adopted since, bringing the store's
        // name back into memory; forgetting it again here makes this save the last word.
        _ = try await saveManifest(prepare: { s -> (Manifest, Void)? in
            s.forget(store: store)
            return (s.manifest, ())
        }, commit: { s, saved, _ in s.adopt(saved) })
    }
}

extension EngineState {
    /// Compacted files are cut at a store's partition boundaries; new ones would overlap
    /// them, so a store with compacted files keeps its partition duration.
    func checkPartitionChange(store: String, to retention: DatabaseRetention, default: DatabaseRetention) throws {
        let current = manifest.retention[store] ?? `default`
        guard current.partitionDuration != retention.partitionDuration else { return }
        let compacted = segments.contains { $0.partition?.database == store }
            || tiers.contains { $0.partition.database == store }
        guard !compacted else {
            throw EngineError.invalidRetention(
                "database \"\(store)\" already has partitions of \(DurationText.format(current.partitionDuration, .influxQL)); "
                    + "its shard duration cannot change to \(DurationText.format(retention.partitionDuration, .influxQL))")
        }
    }
}
