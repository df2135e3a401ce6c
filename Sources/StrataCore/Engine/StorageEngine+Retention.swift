extension StorageEngine {
    /// The retention a database uses: the one a statement set, else the engine's default.
    public func retention(database: String) -> DatabaseRetention {
        state.withLock { $0.manifest.retention[database] } ?? options.defaultRetention
    }

    /// Sets a database's retention (durably, in the manifest). Refused with
    /// `EngineError.invalidRetention` when `validationError()` says so, or when it changes
    /// the partition duration of a database that already has compacted partitions. Takes
    /// effect at the next compaction (tiers added are built for partitions that still hold
    /// raw data; tiers removed are deleted) and retention pass.
    public func setRetention(_ retention: DatabaseRetention, database: String) throws {
        // Skeleton: implemented by the compaction work.
        throw EngineError.invalidRetention("not implemented yet")
    }
}
