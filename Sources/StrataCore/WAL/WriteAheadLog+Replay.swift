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
        afterSequence: UInt64, metricsFactory: (any MetricsFactory)? = nil, replay: (WALRecord) throws -> Void
    ) throws -> (WriteAheadLog, WALReplayReport) {
        try fileSystem.createDirectory(directory)
        let names = try fileSystem.listDirectory(directory)
            .filter { WALFormat.firstSequence(fromFileName: $0) != nil }
            .sorted()
        var report = WALReplayReport(files: names.count)
        var files: [FileInfo] = []
        var expected: UInt64?
        var last = afterSequence
        let openedAt = now()
        for (index, name) in names.enumerated() {
            let path = FilePath.join(directory, name)
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
                                metricsFactory: metricsFactory)
        return (log, report)
    }

    /// Appends to the last file if there is one, else creates the first (header and
    /// directory entry synced before any record goes in).
    private static func openCurrentFile(directory: String, fileSystem: any FileSystem,
                                        files: inout [FileInfo], next: UInt64) throws -> any WritableFile {
        if let last = files.last {
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

    /// Records with sequence above `sequence`, read from the retained files (the change
    /// feed's catch-up source). Returns nil when that position is no longer retained.
    public func records(after sequence: UInt64, limit: Int = .max) throws -> [WALRecord]? {
        let files = fileInfos
        guard let oldest = files.first, sequence + 1 >= oldest.firstSequence else { return nil }
        var out: [WALRecord] = []
        for (index, info) in files.enumerated() {
            let nextFirst = index + 1 < files.count ? files[index + 1].firstSequence : UInt64.max
            if nextFirst <= sequence + 1 { continue }
            let path = FilePath.join(directory, info.name)
            let bytes = try fileSystem.readFile(path)
            // The current file may end in a record being written right now: stop there.
            let result = try WALFileReader(path: path, bytes: bytes).read()
            for record in result.records where record.sequence > sequence && record.sequence <= lastSequence {
                out.append(record)
                if out.count >= limit { return out }
            }
        }
        return out
    }

    /// Removes closed files whose records are all at or below `flushedThrough` (in segments)
    /// and that fall outside the retention window (older than `maxAgeSeconds`, or beyond
    /// `maxBytes` of such files counting from the newest). Returns the names removed.
    @discardableResult
    public func removeFlushedFiles(flushedThrough: UInt64, maxAgeSeconds: Double, maxBytes: Int,
                                   now: Double = WriteAheadLog.now()) throws -> [String] {
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
