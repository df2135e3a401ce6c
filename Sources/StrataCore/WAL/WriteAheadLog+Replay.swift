import CoreMetrics
// See docs/format/wal.md, "Reading and recovery".
import Logging

/// What opening the WAL found, for the log and for `strata inspect`.
public struct WALReplayReport: Sendable, Equatable {
    public var files: Int = 0
    public var recordsReplayed: Int = 0
    public var recordsSkipped: Int = 0
    public var lastSequence: UInt64 = 0
    /// Set when the last file ended in an unfinished record that was cut off.
    public var truncatedTail: String?
}

extension WriteAheadLog {
    /// Opens the log in `directory`, replaying (calling `replay` for) every record whose
    /// sequence is above `afterSequence`, in order. A torn tail of the last file is truncated
    /// and reported; corruption before intact records throws.
    @available(*, noasync, message: "reads and replays every WAL file on the calling thread; call it from synchronous code (StorageEngine.open) or inside BlockingWorkPool.run")
    public static func open(
        directory: String, fileSystem: any FileSystem, segmentBytes: Int, logger: Logger,
        afterSequence: UInt64, metricsFactory: (any MetricsFactory)? = nil,
        clock: any WallClock = SystemClock(), replay: (WALRecord) throws -> Void
    ) throws -> (WriteAheadLog, WALReplayReport) {
        try fileSystem.createDirectory(directory)
        let names = try listFiles(directory: directory, fileSystem: fileSystem, logger: logger)
        var report = WALReplayReport(files: names.count)
        var files: [FileInfo] = []
        var expected: UInt64?
        var last = afterSequence
        let openedAt = clock.seconds()
        for (index, name) in names.enumerated() {
            let path = FilePath.join(directory, name)
            if ResumeMapCodec.firstSequence(fromFileName: name) != nil {
                let map = try openMap(path: path, named: ResumeMapCodec.firstSequence(fromFileName: name)!,
                                      expected: expected, flushedThrough: afterSequence, fileSystem: fileSystem)
                report.recordsSkipped += Int(map.last - map.first + 1)
                last = max(last, map.last)
                expected = map.last + 1
                files.append(FileInfo(name: name, firstSequence: map.first, bytes: map.bytes, closedAt: openedAt, isMap: true))
                continue
            }
            let reader = WALFileReader(path: path, bytes: try fileSystem.readFile(path))
            if index == names.count - 1, reader.bytes.count < WALFormat.fileHeaderSize {
                // The newest file's header never became durable: a crash while it was being
                // created. It holds no record, so dropping it loses nothing.
                try fileSystem.remove(path)
                try fileSystem.syncDirectory(directory)
                report.truncatedTail = "WAL file \(name): removed, its header was unfinished (\(reader.bytes.count) bytes)"
                logger.warning("\(report.truncatedTail!)")
                report.files -= 1
                continue
            }
            let result = try reader.read { record in
                if record.sequence > afterSequence {
                    try replay(record)
                    report.recordsReplayed += 1
                } else {
                    report.recordsSkipped += 1
                }
            }
            if let expected, result.firstSequence != expected {
                throw WALError.sequenceGap(path: path, expected: expected, found: result.firstSequence)
            }
            var size = reader.bytes.count
            if case let .tornTail(offset, reason) = result.ending {
                guard index == names.count - 1 else {
                    throw WALError.tornTailBeforeLaterFile(path: path, offset: offset, reason: reason)
                }
                try fileSystem.truncate(path, to: offset)
                size = offset
                let message = "WAL file \(name): cut \(reader.bytes.count - offset) bytes of an unfinished write at offset \(offset) (\(reason)); nothing acknowledged is lost"
                report.truncatedTail = message
                logger.warning("\(message)")
            }
            let lastInFile = result.records.last?.sequence ?? (result.firstSequence - 1)
            last = max(last, lastInFile)
            expected = lastInFile + 1
            files.append(FileInfo(name: name, firstSequence: result.firstSequence, bytes: size,
                                  closedAt: index == names.count - 1 ? nil : openedAt))
        }
        report.lastSequence = last
        let current = try openCurrentFile(directory: directory, fileSystem: fileSystem, files: &files, next: last + 1)
        let log = WriteAheadLog(directory: directory, fileSystem: fileSystem, segmentBytes: segmentBytes,
                                logger: logger, files: files, current: current, lastSequence: last,
                                metricsFactory: metricsFactory, clock: clock)
        return (log, report)
    }

    /// Appends to the last file if there is one, else creates the first (header and
    /// directory entry synced before any record goes in).
    private static func openCurrentFile(directory: String, fileSystem: any FileSystem,
                                        files: inout [FileInfo], next: UInt64) throws -> any WritableFile {
        if let last = files.last, !last.isMap {
            let file = try fileSystem.openForAppend(FilePath.join(directory, last.name), create: false)
            try file.sync()  // makes a truncation above durable before new records follow it
            return file
        }
        let name = WALFormat.fileName(firstSequence: next)
        let file = try fileSystem.openForAppend(FilePath.join(directory, name), create: true)
        try file.append(WALFormat.fileHeader(firstSequence: next))
        try file.sync()
        try fileSystem.syncDirectory(directory)
        files.append(FileInfo(name: name, firstSequence: next, bytes: file.size, closedAt: nil))
        return file
    }
}

extension WriteAheadLog {
    /// The files, oldest first, as `strata inspect` and retention see them.
    var fileInfos: [FileInfo] { writer.withLock { $0.files } }

    /// Entries with sequence above `sequence`, oldest first, read from the retained files
    /// (the change feed's catch-up source): a log file's records as `.verbatim`, a map's
    /// entries as they are. At most `limit` entries, and past the first, at most about
    /// `byteBudget` bytes of decoded batches (`ResumeMap.Entry.decodedBytes`), so one call
    /// never holds a whole file's worth. Nil when that position is no longer retained.
    public func retained(after sequence: UInt64, limit: Int = .max, byteBudget: Int = .max) throws -> [ResumeMap.Entry]? {
        // A file replaced by its map (or removed) between listing and reading: list again.
        for attempt in 0..<3 {
            do {
                return try retainedOnce(after: sequence, limit: limit, byteBudget: byteBudget)
            } catch let error as FileSystemError where error.errno == FileSystemError.enoent && attempt < 2 {
                continue
            }
        }
        return nil
    }

    private func retainedOnce(after sequence: UInt64, limit: Int, byteBudget: Int) throws -> [ResumeMap.Entry]? {
        let files = fileInfos
        guard let oldest = files.first, sequence + 1 >= oldest.firstSequence else { return nil }
        var out: [ResumeMap.Entry] = []
        var bytes = 0
        func add(_ entry: ResumeMap.Entry) -> Bool {
            out.append(entry)
            bytes += entry.decodedBytes
            return out.count >= limit || bytes >= byteBudget
        }
        for (index, info) in files.enumerated() {
            let nextFirst = index + 1 < files.count ? files[index + 1].firstSequence : UInt64.max
            if nextFirst <= sequence + 1 { continue }
            let path = FilePath.join(directory, info.name)
            let contents = try fileSystem.readFile(path)
            if info.isMap {
                for entry in try ResumeMapCodec.decode(contents, path: path).entries where entry.sequence > sequence {
                    if add(entry) { return out }
                }
                continue
            }
            // The current file may end in a record being written right now: stop there.
            let result = try WALFileReader(path: path, bytes: contents).read()
            for record in result.records where record.sequence > sequence && record.sequence <= lastSequence {
                if add(.verbatim(record)) { return out }
            }
        }
        return out
    }

    /// Removes closed files whose records are all at or below `flushedThrough` (in segments)
    /// and that fall outside the retention window (older than `maxAgeSeconds`, or beyond
    /// `maxBytes` of such files counting from the newest). Returns the names removed.
    @discardableResult
    public func removeFlushedFiles(flushedThrough: UInt64, maxAgeSeconds: Double, maxBytes: Int,
                                   now: Double? = nil) throws -> [String] {
        let now = now ?? clock.seconds()
        return try maintenance.withLock { _ in
            try removeFlushedFilesLocked(flushedThrough: flushedThrough, maxAgeSeconds: maxAgeSeconds,
                                         maxBytes: maxBytes, now: now)
        }
    }

    private func removeFlushedFilesLocked(flushedThrough: UInt64, maxAgeSeconds: Double, maxBytes: Int,
                                          now: Double) throws -> [String] {
        let removable = writer.withLock { wr -> [FileInfo] in
            var flushed: [FileInfo] = []
            for (i, info) in wr.files.enumerated() where info.closedAt != nil && i + 1 < wr.files.count {
                if wr.files[i + 1].firstSequence - 1 <= flushedThrough { flushed.append(info) }
            }
            var keptBytes = 0
            var remove: [FileInfo] = []
            for info in flushed.reversed() {
                keptBytes += info.bytes
                if now - (info.closedAt ?? now) > maxAgeSeconds || keptBytes > maxBytes { remove.append(info) }
            }
            return remove
        }
        guard !removable.isEmpty else { return [] }
        let names = Set(removable.map(\.name))
        // Oldest first, so a crash in between leaves a contiguous suffix of files.
        for info in removable.sorted(by: { $0.firstSequence < $1.firstSequence }) {
            try fileSystem.remove(FilePath.join(directory, info.name))
        }
        try fileSystem.syncDirectory(directory)
        writer.withLock { wr in wr.files.removeAll { names.contains($0.name) } }
        return Array(names).sorted()
    }
}

extension WriteAheadLog {
    /// The log and map files in sequence order. A log file that also has a map was being
    /// replaced when the process stopped: the map is complete (it is renamed into place
    /// only after its sync), so the log goes, unless the map does not check out, in which
    /// case the map goes. Leftover temporary files go too.
    static func listFiles(directory: String, fileSystem: any FileSystem, logger: Logger) throws -> [String] {
        let listed = try fileSystem.listDirectory(directory)
        var logs: [UInt64: String] = [:]
        var maps: [UInt64: String] = [:]
        for name in listed {
            if let first = WALFormat.firstSequence(fromFileName: name) { logs[first] = name }
            if let first = ResumeMapCodec.firstSequence(fromFileName: name) { maps[first] = name }
            if name.hasSuffix(ResumeMapCodec.fileExtension + ".tmp") {
                try fileSystem.remove(FilePath.join(directory, name))
            }
        }
        for (first, map) in maps {
            guard let log = logs[first] else { continue }
            let mapPath = FilePath.join(directory, map)
            let checked = Result { try ResumeMapCodec.decode(try fileSystem.readFile(mapPath), path: mapPath) }
            // Only a map that checks out replaces the log; a failure to remove is an error.
            if case .failure(let error) = checked {
                try fileSystem.remove(mapPath)
                maps[first] = nil
                logger.warning("resume map \(map): removed, it did not check out (\(error)); its WAL file \(log) stays")
            } else {
                try fileSystem.remove(FilePath.join(directory, log))
                logs[first] = nil
                logger.info("WAL file \(log): removed, its resume map \(map) replaced it")
            }
        }
        try fileSystem.syncDirectory(directory)
        return (Array(logs) + Array(maps)).sorted { $0.key < $1.key }.map(\.value)
    }

    /// Checks a map's header and that it covers only flushed records and continues the
    /// sequence; its body is checked when a resume reads it.
    private static func openMap(path: String, named first: UInt64, expected: UInt64?, flushedThrough: UInt64,
                                fileSystem: any FileSystem) throws -> (first: UInt64, last: UInt64, bytes: Int) {
        let bytes = try fileSystem.readFile(path)
        let header = try ResumeMapCodec.header(bytes, path: path)
        guard header.first == first else {
            throw WALError.badHeader(path: path, reason: "resume map is named for sequence \(first) but holds \(header.first)...")
        }
        if let expected, header.first != expected {
            throw WALError.sequenceGap(path: path, expected: expected, found: header.first)
        }
        guard header.last <= flushedThrough else {
            throw WALError.failed("resume map \(path) holds sequences up to \(header.last), but the segments hold "
                + "only up to \(flushedThrough): the manifest is older than the WAL. Move the map aside to start.")
        }
        return (header.first, header.last, bytes.count)
    }
}
