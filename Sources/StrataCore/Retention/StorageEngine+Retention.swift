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
    /// Blocks the calling thread for the manifest save (a few milliseconds), with the engine
    /// lock released meanwhile.
    @available(*, noasync)
    public func setRetention(_ retention: DatabaseRetention, database: String) throws {
        try Self.validateDatabaseName(database)
        if let reason = retention.validationError() { throw EngineError.invalidRetention(reason) }
        _ = try manifestSaves.runBlocking { try performManifestSave(prepare: { s throws -> (Manifest, Void)? in
            guard !s.closed else { throw EngineError.closed }
            guard s.manifest.databases.contains(database) else {
                throw EngineError.invalidRetention("database not found: \"\(database)\"")
            }
            try s.checkPartitionChange(store: database, to: retention, default: options.defaultRetention)
            var manifest = s.manifest
            manifest.retention[database] = retention
            return (manifest, ())
        }, commit: { s, saved, _ in s.adopt(saved) }) }
    }

    /// Runs a retention pass now (queued behind a running compaction): records the cuts
    /// `EngineOptions.now` gives and drops the compacted partitions and tier files wholly
    /// below them. docs/retention.md.
    public func applyRetention() async throws -> CompactionReport {
        try await serialized { [self] in try await retentionPass() }
    }

    /// The age watcher runs a retention pass at most this often (seconds): cuts move by
    /// whole partitions (a day by default), so a minute late is nothing, and a pass that
    /// finds nothing to do costs one lock and no I/O.
    static let retentionPassPeriodSeconds = 60.0

    /// From the age watcher: a retention pass when one is due, then a compaction if enough
    /// flushed segments wait.
    func maybeRunRetention() {
        guard options.backgroundCompaction else { return }
        let now = options.clock.seconds()
        let due = state.withLock { s -> Bool in
            guard !s.closing, now - s.lastRetentionPassAt >= Self.retentionPassPeriodSeconds else { return false }
            s.lastRetentionPassAt = now
            return true
        }
        guard due else { return }
        Task { [self] in
            do { _ = try await applyRetention() } catch {
                logger.error("retention pass failed; retrying later", metadata: ["error": "\(error)"])
            }
            maybeStartCompaction()
        }
    }

    /// Moves each database's cuts up to where `now` puts them and, in the same manifest
    /// save, drops the compacted segments whose partition ends at or below the raw cut and
    /// the tier files whose partition ends at or below their tier's cut (or whose tier the
    /// retention no longer lists). Files are removed after the save.
    func retentionPass() async throws -> CompactionReport {
        let now = options.clock.now()
        let saved = try await saveManifest(prepare: { [self] s throws -> (Manifest, Expired)? in
            guard !s.closed, !s.closing else { throw EngineError.closed }
            var manifest = s.manifest
            let configured = manifest.retention
            let retention = { (db: String) in configured[db] ?? self.options.defaultRetention }
            var databases = Set(manifest.databases)
            databases.formUnion(manifest.segments.compactMap(\.database))
            databases.formUnion(manifest.tiers.map(\.database))
            for db in databases {
                let cuts = retention(db).cuts(now: now, after: manifest.cuts[db])
                if cuts != (manifest.cuts[db] ?? Manifest.RetentionCuts()) { manifest.cuts[db] = cuts }
            }
            let cuts = manifest.cuts
            var removed: [String] = []
            var (partitions, tierFiles) = (0, 0)
            manifest.segments.removeAll { entry in
                guard let p = entry.partition, let cut = cuts[p.database]?.raw, p.end <= cut else { return false }
                removed.append(entry.file)
                partitions += 1
                return true
            }
            let tiersNow = Dictionary(uniqueKeysWithValues: databases.map { db in
                (db, Set(retention(db).tiers.map { TierIdentity(name: $0.name, resolution: $0.resolution) }))
            })
            manifest.tiers.removeAll { entry in
                let listed = tiersNow[entry.database]?.contains(TierIdentity(name: entry.tier, resolution: entry.resolution)) ?? false
                let cut = cuts[entry.database]?.tiers[entry.tier]
                guard !listed || cut.map({ entry.partitionEnd <= $0 }) ?? false else { return false }
                removed.append(entry.file)
                tierFiles += 1
                return true
            }
            guard manifest != s.manifest else { return nil }
            let (toSave, publication) = s.preparePublication(manifest)
            return (toSave, Expired(files: removed, partitions: partitions, tierFiles: tierFiles, publication: publication))
        }, commit: { s, saved, expired in
            s.commit(expired.publication, saved: saved)
            return expired
        })
        var report = CompactionReport()
        guard let expired = saved else { return report }
        removeFiles(expired.files.map { FilePath.join(segmentsDirectory, $0) })
        report.partitionsExpired = expired.partitions
        report.tierFilesExpired = expired.tierFiles
        return report
    }

    /// What a retention pass dropped from the manifest.
    private struct Expired: Sendable {
        var files: [String]
        var partitions: Int
        var tierFiles: Int
        var publication: EngineState.Publication
    }
}

extension DatabaseRetention {
    /// `recorded` moved up to where `now` puts the cuts: for raw data and each tier with a
    /// duration, the start of the partition holding `now - duration`. Never moves a cut back
    /// (a longer retention set later does not bring deleted data back, and reads must not
    /// show what a removed file held).
    func cuts(now: Int64, after recorded: Manifest.RetentionCuts?) -> Manifest.RetentionCuts {
        var out = recorded ?? Manifest.RetentionCuts()
        func cut(_ duration: Int64?) -> Int64? {
            guard let duration else { return nil }
            let (t, overflow) = now.subtractingReportingOverflow(duration)
            guard !overflow, t > Int64.min + partitionDuration else { return nil }
            return partitionStart(t)
        }
        if let c = cut(rawDuration) { out.raw = max(out.raw ?? Int64.min, c) }
        for tier in tiers {
            if let c = cut(tier.duration) { out.tiers[tier.name] = max(out.tiers[tier.name] ?? Int64.min, c) }
        }
        return out
    }

    /// The oldest time a write may carry now (nil: any), given the cut already recorded.
    func oldestWritable(now: Int64, rawCut: Int64?) -> Int64? {
        guard let rawDuration else { return rawCut }
        let (t, overflow) = now.subtractingReportingOverflow(rawDuration)
        let limit = overflow ? nil : t
        return [limit, rawCut].compactMap { $0 }.max()
    }
}
