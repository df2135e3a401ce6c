/// What one compaction works from, copied under the engine lock, and the partitions it
/// rewrites (docs/compaction.md, "When it runs").
struct CompactionPlan {
    /// The flushed (level 0) segments this compaction consumes, in flush order.
    var level0: [LiveSegment]
    var level1: [PartitionKey: LiveSegment]
    var tiers: [PartitionKey: [LiveTier]]
    var tombstones: TombstoneSet
    var retention: [String: DatabaseRetention]
    var defaultRetention: DatabaseRetention
    /// The cuts as recorded, moved up to where `now` puts them.
    var cuts: [String: Manifest.RetentionCuts]
    /// Partitions to rewrite, in order, each with the level-0 segments holding rows of it.
    var partitions: [(key: PartitionKey, level0: [LiveSegment])] = []
    /// Partitions past the raw cut that level-0 segments still hold rows of: those rows are
    /// dropped with the segments.
    var expired: [(key: PartitionKey, level0: [LiveSegment])] = []

    init(_ s: EngineState, defaultRetention: DatabaseRetention, now: Int64) {
        level0 = s.segments.filter { $0.partition == nil }
        level1 = [:]
        for segment in s.segments { if let key = segment.partition { level1[key] = segment } }
        tiers = Dictionary(grouping: s.tiers, by: \.partition)
        tombstones = s.tombstones
        self.defaultRetention = defaultRetention
        var databases = Set(s.manifest.databases)
        databases.formUnion(level1.keys.map(\.database))
        retention = [:]
        cuts = [:]
        for db in databases {
            let r = s.manifest.retention[db] ?? defaultRetention
            retention[db] = r
            cuts[db] = r.cuts(now: now, after: s.manifest.cuts[db])
        }
        plan()
    }

    func retention(_ database: String) -> DatabaseRetention {
        retention[database] ?? defaultRetention
    }

    /// The tiers a partition gets: its database's, less those already cut past its end.
    func tiersToBuild(_ key: PartitionKey) -> [RollupTier] {
        retention(key.database).tiers.filter { tier in
            guard let cut = cuts[key.database]?.tiers[tier.name] else { return true }
            return cut < key.end
        }
    }

    var isEmpty: Bool { partitions.isEmpty && expired.isEmpty }

    /// The partitions the level-0 segments touch, plus compacted partitions that lack a tier
    /// their retention lists (added by `setRetention`) or that a delete masks (rewriting
    /// drops the deleted rows, from the tiers too, and lets the tombstone go).
    private mutating func plan() {
        var touched: [PartitionKey: [LiveSegment]] = [:]
        for segment in level0 {
            let keys = PartitionCompactor.partitions(of: segment.reader) { self.retention($0).partitionDuration }
            for key in keys { touched[key, default: []].append(segment) }
        }
        for (key, segment) in level1 where touched[key] == nil {
            // Tiers the retention lacks are dropped by the retention pass, no rewrite needed.
            let want = Set(tiersToBuild(key).map { TierIdentity(name: $0.name, resolution: $0.resolution) })
            let have = Set((tiers[key] ?? []).map { TierIdentity(name: $0.name, resolution: $0.resolution) })
            if !want.isSubset(of: have) || masked(segment, key) { touched[key] = [] }
        }
        for key in touched.keys.sorted() {
            if let raw = cuts[key.database]?.raw, key.end <= raw {
                expired.append((key, touched[key]!))
            } else {
                partitions.append((key, touched[key]!))
            }
        }
    }

    /// A tombstone newer than the segment masks rows of a series it holds in the partition.
    private func masked(_ segment: LiveSegment, _ key: PartitionKey) -> Bool {
        tombstones.all.contains { t in
            t.database == key.database && t.sequence > segment.flushedThrough && t.interval.overlaps(key.range)
                && t.keys.contains { segment.reader.series(database: key.database, key: $0) != nil }
        }
    }
}

/// A tier as its files name it: a tier file built for another resolution under the same
/// name is not that tier.
struct TierIdentity: Hashable {
    var name: String
    var resolution: Int64
}
