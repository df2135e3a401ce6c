import Logging

extension StorageEngine {
    /// Opens (creating if needed) a data directory: reads the manifest, opens the segments
    /// it names, rebuilds the series index, and replays the WAL above the flushed sequence.
    @available(*, noasync)
    public static func open(
        directory: String, options: EngineOptions = EngineOptions(),
        fileSystem: any FileSystem = PosixFileSystem(), logger: Logger = Logger(label: "strata.engine")
    ) throws -> StorageEngine {
        try fileSystem.createDirectory(directory)
        let lock = try lockDirectory(directory, fileSystem: fileSystem)
        let segmentsDirectory = FilePath.join(directory, "segments")
        try fileSystem.createDirectory(segmentsDirectory)
        let manifest = try Manifest.load(directory: directory, fileSystem: fileSystem)
        var state = EngineState(manifest: manifest)
        // Before the segments: series that tombstones dropped stay out of the index.
        state.tombstones = TombstoneSet(try manifest.tombstones.map { try $0.tombstone() })
        try loadSegments(manifest, directory: segmentsDirectory, fileSystem: fileSystem, logger: logger, into: &state)
        let now = options.clock.seconds()
        let (wal, report) = try WriteAheadLog.open(
            directory: FilePath.join(directory, "wal"), fileSystem: fileSystem,
            segmentBytes: options.walSegmentBytes, logger: logger, afterSequence: manifest.flushedThrough,
            metricsFactory: options.metricsFactory, clock: options.clock
        ) { record in
            if record.type == .tombstone {
                do {
                    state.apply(try WALTombstoneCodec.decode(record.payload, sequence: record.sequence), now: now)
                } catch {
                    throw EngineError.corruptWALRecord(sequence: record.sequence, reason: "\(error)")
                }
                return
            }
            guard record.type == .writeBatch else { return }
            var batch: ColumnarBatch
            do { batch = try WALBatchCodec.decode(record.payload) } catch {
                throw EngineError.corruptWALRecord(sequence: record.sequence, reason: "\(error)")
            }
            let dropped = state.registerReplayed(&batch)
            if !dropped.isEmpty {
                logger.error("replayed record contradicts established field types; those columns are skipped", metadata: [
                    "sequence": "\(record.sequence)", "fields": "\(dropped)"])
            }
            state.apply(batch, sequence: record.sequence, now: now)
        }
        state.appliedSequence = max(state.appliedSequence, manifest.flushedThrough, report.lastSequence)
        logger.info("opened data directory", metadata: [
            "directory": "\(directory)", "segments": "\(state.segments.count)", "series": "\(state.index.count)",
            "walRecordsReplayed": "\(report.recordsReplayed)", "lastSequence": "\(report.lastSequence)",
        ])
        let engine = StorageEngine(directory: directory, options: options, fileSystem: fileSystem, logger: logger,
                                   wal: wal, state: state, replayReport: report, lock: lock)
        // A tenth of the age limit, at most once a minute: flushes land within 10% of it.
        engine.startAgeWatcher(period: min(60, max(0.05, options.flushMaxAgeSeconds / 10)))
        // Flushed log files left by a crash mid-mapping or by an older version.
        if !wal.flushedLogFiles(flushedThrough: manifest.flushedThrough).isEmpty { engine.scheduleWALMapping() }
        return engine
    }

    /// One process per data directory: a second `serve`, or an `import` beside a running
    /// server, would interleave WAL files and segment numbers.
    private static func lockDirectory(_ directory: String, fileSystem: any FileSystem) throws -> any FileLock {
        let path = FilePath.join(directory, "LOCK")
        do {
            return try fileSystem.lock(path)
        } catch where error.errno == FileSystemError.ewouldblock {
            throw EngineError.directoryInUse(directory)
        }
    }

    /// Opens the segments and tier files the manifest names; removes files it does not name
    /// (left by a crash between writing a segment, compacted segment or tier file and
    /// publishing it, or between a compaction's manifest save and its removal of the files
    /// it replaced).
    private static func loadSegments(_ manifest: Manifest, directory: String, fileSystem: any FileSystem,
                                     logger: Logger, into state: inout EngineState) throws {
        let named = Set(manifest.segments.map(\.file) + manifest.tiers.map(\.file))
        for name in try fileSystem.listDirectory(directory) where !named.contains(name) {
            logger.warning("removing a file the manifest does not name", metadata: ["file": "\(name)"])
            try fileSystem.remove(FilePath.join(directory, name))
        }
        for entry in manifest.segments {
            let reader = try SegmentReader(path: FilePath.join(directory, entry.file), fileSystem: fileSystem)
            register(reader, flushedThrough: entry.flushedThrough, tier: false, into: &state)
            state.segments.append(LiveSegment(reader: reader, flushedThrough: entry.flushedThrough, partition: entry.partition))
        }
        for entry in manifest.tiers {
            let reader = try SegmentReader(path: FilePath.join(directory, entry.file), fileSystem: fileSystem)
            // Where raw data expired, a tier file is all that is left of a series.
            register(reader, flushedThrough: entry.flushedThrough, tier: true, into: &state)
            state.tiers.append(LiveTier(reader: reader, partition: entry.partition, name: entry.tier,
                                        resolution: entry.resolution, flushedThrough: entry.flushedThrough))
        }
    }

    /// Adds a file's series to the index (unless a tombstone deleted all they hold) and its
    /// fields' types. A tier file's field type is its `min` column's.
    private static func register(_ reader: SegmentReader, flushedThrough: UInt64, tier: Bool, into state: inout EngineState) {
        for series in reader.series {
            // Field types are kept even for dropped series: their masked rows are still
            // in the file, and a column has one type (docs/decisions.md).
            let masks = state.tombstones.masks(database: series.database, key: series.key)
                .ranges(maskingSegmentFlushedThrough: flushedThrough)
            var names: [String] = []
            names.reserveCapacity(series.fields.count)
            for field in series.fields {
                var name = field.name
                if tier {
                    guard let parsed = TierColumns.parse(field.name), parsed.part == .min else { continue }
                    name = parsed.field
                }
                names.append(name)
                if state.fieldTypes[series.database]?[series.key.measurement]?[name] == nil {
                    state.fieldTypes[series.database, default: [:]][series.key.measurement, default: [:]][name] = field.type
                }
            }
            // A series wholly masked is not live, so its fields are not the series' either.
            if series.holdsUnmaskedRows(masks) {
                let id = state.index.idOrInsert(database: series.database, key: series.key)
                state.index.recordFields(id, names)
            }
        }
    }
}
