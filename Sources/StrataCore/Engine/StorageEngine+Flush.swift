extension StorageEngine {
    /// Writes everything written before this call to a segment; returns once the segment
    /// and the manifest naming it are durable. Ingest goes on meanwhile into a new head.
    public func flush() async throws {
        let task = flushTask.withLock { running -> Task<Void, any Error> in
            let previous = running
            state.withLock { $0.flushesInFlight += 1 }
            // On the flush thread: sorting, encoding and syncing a head never hold a thread
            // of the cooperative pool.
            let task = Task(executorPreference: threads.flush) { [self] in
                defer { state.withLock { $0.flushesInFlight -= 1 } }
                _ = try? await previous?.value
                try await flushOnce()
            }
            running = task
            return task
        }
        try await task.value
    }

    /// Every `period` seconds: flushes a head that stopped receiving writes once it is old
    /// enough, and removes flushed WAL files whose retention window passed since the last
    /// flush. Stops at `close()`.
    func startAgeWatcher(period: Double) {
        // On the I/O thread: removing expired WAL files unlinks and syncs a directory.
        let task = Task(executorPreference: options.threads.io) { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(period))
                guard let self, !Task.isCancelled else { return }
                self.maybeStartFlush()
                self.expireRetainedWAL()
                self.maybeRunRetention()
            }
        }
        ageWatcher.withLock { $0 = task }
    }

    /// After a failed background flush (a full or failing disk), wait this long before the
    /// next automatic attempt, so every write does not retry and log. 10 s: short next to
    /// the age threshold, long next to a request.
    static let flushRetryDelaySeconds = 10.0

    /// Starts a background flush when the head passes its size or age threshold, or when a
    /// failed flush left a frozen head behind; one at a time.
    func maybeStartFlush() {
        let now = options.clock.seconds()
        let due = state.withLock { s -> Bool in
            guard !s.autoFlushRunning, now >= s.autoFlushBlockedUntil else { return false }
            let old = s.head.firstWriteAt.map { now - $0 >= options.flushMaxAgeSeconds } ?? false
            // A head budget below the flush threshold (a small machine's setting) flushes at the budget.
            let threshold = options.maxHeadBytes > 0 ? min(options.flushThresholdBytes, options.maxHeadBytes) : options.flushThresholdBytes
            // Frozen heads while no flush runs were left by a failed one. While a flush runs
            // they are its own: flushing again would cut the head short of its threshold.
            let leftBehind = !s.frozen.isEmpty && s.flushesInFlight == 0
            guard leftBehind || s.head.bytes >= threshold || old else { return false }
            s.autoFlushRunning = true
            return true
        }
        guard due else { return }
        Task { [self] in
            var failed = false
            do { try await flush() } catch {
                failed = true
                logger.error("background flush failed; retrying later", metadata: ["error": "\(error)"])
            }
            state.withLock { s in
                s.autoFlushRunning = false
                if failed { s.autoFlushBlockedUntil = options.clock.seconds() + Self.flushRetryDelaySeconds }
            }
        }
    }

    private func flushOnce() async throws {
        // Freeze the head at a WAL file boundary: records below the new file's first
        // sequence are all in the frozen head, later ones go to the fresh head.
        _ = try await wal.rotate { [self] firstOfNewFile in
            state.withLock { s in
                // A head that only saw deletes is frozen too, so that `flushedThrough`
                // passes their records.
                guard s.head.lastSequence != nil else { return }
                s.frozen.append(FrozenHead(head: s.head, throughSequence: firstOfNewFile - 1))
                s.head = Head()
            }
        }
        // Oldest first; a head left frozen by an earlier failed flush goes before this one.
        while let (frozen, number, index) = state.withLock({ s -> (FrozenHead, UInt64, SeriesIndex)? in
            guard let first = s.frozen.first else { return nil }
            // Taken now, under the lock, since a compaction numbers its files meanwhile.
            let number = first.head.isEmpty ? s.manifest.nextSegmentNumber : s.reserveFileNumber()
            return (first, number, s.index)
        }) {
            try await writeSegment(frozen, number: number, index: index)
        }
        maybeStartCompaction()
    }

    /// Writes one frozen head as segment `number`, publishes it in the manifest (with the
    /// tombstones that still mask something), drops the frozen head and the WAL files the
    /// segment made redundant (past their retention). A frozen head left without rows (its
    /// records were all deleted) only moves `flushedThrough`. Encoding and writing run on
    /// the caller's thread (the flush thread); the manifest save on the manifest queue,
    /// with the engine lock held only to build the manifest and to publish it.
    private func writeSegment(_ frozen: FrozenHead, number: UInt64, index: SeriesIndex) async throws {
        var published: PublishedSegment?
        if !frozen.head.isEmpty {
            let name = SegmentFormat.fileName(number: number)
            let path = FilePath.join(segmentsDirectory, name)
            let (bytes, summary) = Self.buildSegment(frozen.head, index: index)
            try fileSystem.writeFileAtomically(path, contents: bytes)
            published = PublishedSegment(name: name, reader: try SegmentReader(path: path, fileSystem: fileSystem),
                                         summary: summary, bytes: bytes.count)
        }
        let through = frozen.throughSequence
        _ = try await saveManifest(prepare: { [published] s -> (Manifest, [LiveSegment])? in
            var manifest = s.manifest
            var segments = s.segments
            if let p = published {
                manifest.segments.append(Manifest.SegmentEntry(
                    file: p.name, flushedThrough: through, minTime: p.summary.minTime,
                    maxTime: p.summary.maxTime, series: p.summary.series, rows: p.summary.rows, bytes: p.bytes))
                manifest.nextSegmentNumber = max(manifest.nextSegmentNumber, number + 1)
                segments.append(LiveSegment(reader: p.reader, flushedThrough: through))
            }
            manifest.flushedThrough = through
            // A tombstone masks segments flushed through a lower sequence than its own; once
            // no segment, nor frozen head still to be written, is that old, it masks nothing.
            let tombstones = s.prunedTombstones(segments: segments, tiers: s.tiers, frozen: s.frozen.dropFirst())
            manifest.tombstones = tombstones.all.map(Manifest.TombstoneEntry.init)
            return (manifest, segments)
        }, commit: { s, saved, segments in
            s.adopt(saved)
            s.segments = segments
            s.frozen.removeFirst()
            // Pruned again from the set as it is now: deletes applied while the file was
            // written are newer than every file and frozen head, so none of them goes.
            s.tombstones = s.prunedTombstones(segments: segments, tiers: s.tiers, frozen: s.frozen[...])
        })
        if let p = published {
            logger.info("flushed head to segment", metadata: [
                "file": "\(p.name)", "rows": "\(p.summary.rows)", "series": "\(p.summary.series)", "bytes": "\(p.bytes)",
            ])
        }
        try removeFlushedWAL(through: frozen.throughSequence)
        scheduleWALMapping()
    }

    /// Removes the WAL files a flush made redundant once past their retention (unlinks and
    /// a directory sync: on the flush thread).
    private func removeFlushedWAL(through sequence: UInt64) throws {
        try wal.removeFlushedFiles(flushedThrough: sequence, maxAgeSeconds: options.walRetentionSeconds,
                                   maxBytes: options.walRetentionBytes)
    }

    private struct PublishedSegment: Sendable {
        var name: String
        var reader: SegmentReader
        var summary: SegmentSummary
        var bytes: Int
    }

    private func expireRetainedWAL() {
        let flushed = state.withLock { $0.manifest.flushedThrough }
        do {
            try wal.removeFlushedFiles(flushedThrough: flushed, maxAgeSeconds: options.walRetentionSeconds,
                                       maxBytes: options.walRetentionBytes)
        } catch {
            logger.error("removing expired WAL files failed", metadata: ["error": "\(error)"])
        }
    }

    struct SegmentSummary: Sendable {
        var series: Int
        var rows: Int
        var minTime: Int64
        var maxTime: Int64
    }

    /// Sorts and de-duplicates each series of a head and encodes them as one segment.
    static func buildSegment(_ head: Head, index: SeriesIndex) -> ([UInt8], SegmentSummary) {
        let ordered = head.series.keys.sorted { a, b in
            let ea = index.entries[Int(a)]
            let eb = index.entries[Int(b)]
            return ea.database != eb.database ? ea.database < eb.database : ea.key < eb.key
        }
        var writer = SegmentWriter()
        for id in ordered {
            let rows = head.series[id]!.rows
            let merged = SeriesRows.merged([rows], key: rows.key, range: Int64.min...Int64.max, fields: nil)
            writer.add(database: index.entries[Int(id)].database, rows: merged)
        }
        let summary = SegmentSummary(series: writer.seriesCount, rows: writer.rows, minTime: writer.minTime, maxTime: writer.maxTime)
        return (writer.finish(), summary)
    }
}
