extension StorageEngine {
    /// Merges every flushed (level 0) segment into one compacted segment per database and
    /// time partition (with the partition's earlier compacted segment), dropping overwritten
    /// and deleted rows, writes the partition's rollup tier files, then applies retention
    /// (drops expired partitions and tier files). Returns when all of it is durable and
    /// published. Waits for a compaction already running. With nothing to do, returns an
    /// empty report. docs/compaction.md.
    public func compact() async throws -> CompactionReport {
        try await serialized { [self] in
            let started = ContinuousClock.now
            var report = try await compactOnce()
            report.add(try await retentionPass())
            report.seconds = (ContinuousClock.now - started).seconds
            state.withLock { s in
                s.compactions += 1
                s.compactionBytesWritten += report.bytesWritten
            }
            if report.partitionsWritten > 0 || report.partitionsExpired > 0 || report.tierFilesExpired > 0 {
                logger.info("compacted", metadata: [
                    "partitions": "\(report.partitionsWritten)", "segmentsMerged": "\(report.segmentsMerged)",
                    "rows": "\(report.rowsWritten)", "rowsDropped": "\(report.rowsDropped)",
                    "bytes": "\(report.bytesWritten)", "tierFiles": "\(report.tierFilesWritten)",
                    "partitionsExpired": "\(report.partitionsExpired)", "tierFilesExpired": "\(report.tierFilesExpired)",
                    "seconds": "\(report.seconds)",
                ])
            }
            return report
        }
    }

    /// Runs `body` after every compaction and retention pass queued before it (they change
    /// the same files, so they run one at a time), on the compaction thread: merging,
    /// encoding and writing never hold a thread of the cooperative pool.
    func serialized(_ body: @escaping @Sendable () async throws -> CompactionReport) async throws -> CompactionReport {
        let task = compactionTask.withLock { running -> Task<CompactionReport, any Error> in
            let previous = running
            let task = Task(executorPreference: threads.compaction) {
                _ = try? await previous?.value
                return try await body()
            }
            running = task
            return task
        }
        return try await task.value
    }

    /// After a failed background compaction, wait this long before the next attempt. 60 s:
    /// a failing disk is not retried on every flush; a transient error costs a minute.
    static let compactionRetryDelaySeconds = 60.0

    /// Starts a background compaction once enough flushed segments wait; one at a time.
    func maybeStartCompaction() {
        guard options.backgroundCompaction else { return }
        let now = options.clock.seconds()
        let due = state.withLock { s -> Bool in
            guard !s.closing, !s.autoCompactionRunning, now >= s.autoCompactionBlockedUntil else { return false }
            let level0 = s.segments.reduce(0) { $0 + ($1.partition == nil ? 1 : 0) }
            guard level0 >= options.compactionTriggerSegments else { return false }
            s.autoCompactionRunning = true
            return true
        }
        guard due else { return }
        Task { [self] in
            var failed = false
            do { _ = try await compact() } catch {
                failed = true
                logger.error("background compaction failed; retrying later", metadata: ["error": "\(error)"])
            }
            state.withLock { s in
                s.autoCompactionRunning = false
                if failed { s.autoCompactionBlockedUntil = options.clock.seconds() + Self.compactionRetryDelaySeconds }
            }
        }
    }

    /// The new files of one compaction, not yet published.
    private struct Written {
        var segments: [(entry: Manifest.SegmentEntry, live: LiveSegment)] = []
        var tiers: [(entry: Manifest.TierEntry, live: LiveTier)] = []
        var paths: [String] = []
    }

    /// Rewrites the partitions the plan names, publishes the result in one manifest save,
    /// then removes the files it replaced.
    private func compactOnce() async throws -> CompactionReport {
        let plan = try state.withLock { s throws -> CompactionPlan in
            guard !s.closed, !s.closing else { throw EngineError.closed }
            return CompactionPlan(s, defaultRetention: options.defaultRetention, now: options.clock.now())
        }
        var report = CompactionReport()
        guard !plan.isEmpty else { return report }
        state.withLock { $0.compacting = true }
        defer { state.withLock { $0.compacting = false } }
        let started = ContinuousClock.now
        var limiter = RateLimiter(bytesPerSecond: options.compactionBytesPerSecond, start: 0)
        var written = Written()
        do {
            for (key, level0) in plan.partitions {
                try compactPartition(key, level0: level0, plan: plan, into: &written, report: &report)
                let fresh = report.bytesWritten - limiter.bytesWritten
                let wait = limiter.delay(afterWriting: fresh, now: (ContinuousClock.now - started).seconds)
                if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            }
            for (key, level0) in plan.expired {
                for segment in level0 { report.rowsDropped += try Self.rowCount(of: segment.reader, in: key) }
            }
            try await publish(plan, written)
        } catch {
            for path in written.paths { try? fileSystem.remove(path) }
            throw error
        }
        report.segmentsMerged = plan.level0.count
        removeReplacedFiles(plan)
        return report
    }

    private func compactPartition(_ key: PartitionKey, level0: [LiveSegment], plan: CompactionPlan,
                                  into written: inout Written, report: inout CompactionReport) throws {
        let sources = [plan.level1[key]].compactMap { $0 } + level0
        let output = try PartitionCompactor(partition: key, sources: sources, tombstones: plan.tombstones,
                                            tiers: plan.tiersToBuild(key)).run()
        report.rowsDropped += output.rowsDropped
        guard let bytes = output.segment else { return }
        let name = SegmentFormat.fileName(number: state.withLock { $0.reserveFileNumber() })
        let reader = try writeFile(name, bytes, into: &written)
        let entry = Manifest.SegmentEntry(
            file: name, flushedThrough: output.flushedThrough, minTime: output.summary.minTime,
            maxTime: output.summary.maxTime, series: output.summary.series, rows: output.summary.rows,
            bytes: bytes.count, database: key.database, partitionStart: key.start, partitionEnd: key.end)
        written.segments.append((entry, LiveSegment(reader: reader, flushedThrough: output.flushedThrough, partition: key)))
        report.partitionsWritten += 1
        report.rowsWritten += output.summary.rows
        report.bytesWritten += bytes.count
        for file in output.tierFiles {
            let name = Manifest.tierFileName(number: state.withLock { $0.reserveFileNumber() })
            let reader = try writeFile(name, file.bytes, into: &written)
            let entry = Manifest.TierEntry(
                file: name, database: key.database, tier: file.tier.name, resolution: file.tier.resolution,
                partitionStart: key.start, partitionEnd: key.end, flushedThrough: output.flushedThrough,
                series: file.series, rows: file.rows, bytes: file.bytes.count)
            written.tiers.append((entry, LiveTier(reader: reader, partition: key, name: file.tier.name,
                                                  resolution: file.tier.resolution, flushedThrough: output.flushedThrough)))
            report.tierFilesWritten += 1
            report.bytesWritten += file.bytes.count
        }
    }

    private func writeFile(_ name: String, _ bytes: [UInt8], into written: inout Written) throws -> SegmentReader {
        let path = FilePath.join(segmentsDirectory, name)
        written.paths.append(path)
        try fileSystem.writeFileAtomically(path, contents: bytes)
        return try SegmentReader(path: path, fileSystem: fileSystem)
    }

    /// One manifest save, applied to the manifest as it is now (flushes may have added
    /// segments since the plan was made): the consumed flushed segments and the replaced
    /// compacted segments and tier files go, the new files come.
    private func publish(_ plan: CompactionPlan, _ written: Written) async throws {
        let consumed = Set(plan.level0.map { FilePath.name(of: $0.reader.path) })
        let rewritten = plan.partitions.map(\.key)
        let replacedSegments = Set(rewritten.compactMap { plan.level1[$0].map { FilePath.name(of: $0.reader.path) } })
        let replacedTiers = Set(rewritten.flatMap { (plan.tiers[$0] ?? []).map { FilePath.name(of: $0.reader.path) } })
        let newSegments = written.segments.map(\.entry)
        let newTiers = written.tiers.map(\.entry)
        let liveSegments = written.segments.map(\.live)
        let liveTiers = written.tiers.map(\.live)
        _ = try await saveManifest(prepare: { s -> (Manifest, EngineState.Publication)? in
            var manifest = s.manifest
            manifest.segments.removeAll { consumed.contains($0.file) || replacedSegments.contains($0.file) }
            manifest.tiers.removeAll { replacedTiers.contains($0.file) }
            manifest.segments += newSegments
            manifest.tiers += newTiers
            manifest.orderFiles()
            return s.preparePublication(manifest, adding: liveSegments, liveTiers)
        }, commit: { s, saved, publication in s.commit(publication, saved: saved) })
    }

    /// After the save: the files no longer named. A failure leaves them for the next open
    /// to remove (it removes every file the manifest does not name).
    private func removeReplacedFiles(_ plan: CompactionPlan) {
        var paths = plan.level0.map(\.reader.path)
        for key in plan.partitions.map(\.key) {
            if let old = plan.level1[key] { paths.append(old.reader.path) }
            paths += (plan.tiers[key] ?? []).map(\.reader.path)
        }
        removeFiles(paths)
    }

    func removeFiles(_ paths: [String]) {
        for path in paths {
            do { try fileSystem.remove(path) } catch {
                logger.warning("removing a file no longer in the manifest failed; the next open removes it",
                               metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// Rows a flushed segment holds in a partition (timestamps decoded only).
    private static func rowCount(of reader: SegmentReader, in key: PartitionKey) throws -> Int {
        var count = 0
        for series in reader.series where series.database == key.database {
            count += try reader.rows(of: series, range: key.range, fields: []).count
        }
        return count
    }

    /// The partitions of `database` (nil: all), oldest first per database, with their
    /// compacted segment and tier files, for `SHOW SHARDS` and `strata inspect`.
    public func partitions(database: String? = nil) -> [PartitionInfo] {
        let (segments, tiers, manifest) = state.withLock { ($0.segments, $0.tiers, $0.manifest) }
        let duration = { (db: String) in (manifest.retention[db] ?? self.options.defaultRetention).partitionDuration }
        var infos: [PartitionKey: PartitionInfo] = [:]
        func info(_ key: PartitionKey) -> PartitionInfo {
            infos[key] ?? PartitionInfo(partition: key, rawFile: nil, rawRows: 0, rawBytes: 0, tiers: [], uncompactedSegments: 0)
        }
        for (segment, entry) in zip(segments, manifest.segments) {
            if let key = segment.partition {
                guard database == nil || key.database == database else { continue }
                var i = info(key)
                (i.rawFile, i.rawRows, i.rawBytes) = (entry.file, entry.rows, entry.bytes)
                infos[key] = i
            } else {
                for key in PartitionCompactor.partitions(of: segment.reader, duration: duration)
                where database == nil || key.database == database {
                    var i = info(key)
                    i.uncompactedSegments += 1
                    infos[key] = i
                }
            }
        }
        for (tier, entry) in zip(tiers, manifest.tiers) where database == nil || tier.partition.database == database {
            var i = info(tier.partition)
            i.tiers.append(PartitionInfo.TierFile(name: tier.name, resolution: tier.resolution, file: entry.file,
                                                  rows: entry.rows, bytes: entry.bytes))
            infos[tier.partition] = i
        }
        return infos.keys.sorted().map { infos[$0]! }
    }
}

extension EngineState {
    /// What a manifest save that changes the live files publishes once the file is durable.
    struct Publication: Sendable {
        var segments: [LiveSegment]
        var tiers: [LiveTier]
    }

    /// `manifest` with the tombstones that still mask one of its files (or a frozen head's),
    /// ready to save, and its files open: the ones already open and the new ones given.
    /// Under the engine lock, on the manifest queue (`StorageEngine.saveManifest`).
    func preparePublication(_ manifest: Manifest, adding newSegments: [LiveSegment] = [],
                            _ newTiers: [LiveTier] = []) -> (Manifest, Publication) {
        var manifest = manifest
        let (segments, tiers) = liveFiles(for: manifest, adding: newSegments, newTiers)
        let tombstones = prunedTombstones(segments: segments, tiers: tiers, frozen: frozen[...])
        manifest.tombstones = tombstones.all.map(Manifest.TombstoneEntry.init)
        return (manifest, Publication(segments: segments, tiers: tiers))
    }

    /// Makes a saved publication the engine's. The tombstones are pruned again from the set
    /// as it is now: deletes applied while the file was written are newer than every file,
    /// so they stay (the next save records them; until then their WAL records do).
    mutating func commit(_ publication: Publication, saved: Manifest) {
        adopt(saved)
        segments = publication.segments
        tiers = publication.tiers
        tombstones = prunedTombstones(segments: segments, tiers: tiers, frozen: frozen[...])
    }

    /// The live files for `manifest`'s lists, in its order: the ones already open, and the
    /// new ones given.
    func liveFiles(for manifest: Manifest, adding newSegments: [LiveSegment] = [],
                   _ newTiers: [LiveTier] = []) -> ([LiveSegment], [LiveTier]) {
        var openSegments: [String: LiveSegment] = [:]
        for s in segments + newSegments { openSegments[FilePath.name(of: s.reader.path)] = s }
        var openTiers: [String: LiveTier] = [:]
        for t in tiers + newTiers { openTiers[FilePath.name(of: t.reader.path)] = t }
        return (manifest.segments.map { openSegments[$0.file]! }, manifest.tiers.map { openTiers[$0.file]! })
    }
}

extension CompactionReport {
    mutating func add(_ other: CompactionReport) {
        partitionsWritten += other.partitionsWritten
        segmentsMerged += other.segmentsMerged
        rowsWritten += other.rowsWritten
        bytesWritten += other.bytesWritten
        tierFilesWritten += other.tierFilesWritten
        partitionsExpired += other.partitionsExpired
        tierFilesExpired += other.tierFilesExpired
        rowsDropped += other.rowsDropped
    }
}
