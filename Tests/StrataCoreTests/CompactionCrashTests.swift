import Synchronization
import Testing
@testable import StrataCore

/// A crash at each step of a compaction leaves the old set of files or the new one, never
/// both counted and never neither: after reopening, scans equal what they were, and the
/// files the manifest does not name are gone.
@Suite struct CompactionCrashTests {
    typealias F = CompactionFixture

    /// Where the injected failure strikes (the compaction stops there; then power is lost).
    enum CrashPoint: String, CaseIterable, CustomStringConvertible {
        /// The new compacted segment and tier files are durable, the manifest is not saved.
        case beforeManifestSave
        /// The new manifest is renamed into place but the directory is not synced.
        case manifestRenameUnsynced
        /// The new manifest's temp file is torn (its fdatasync fails, power goes mid-write).
        case manifestTorn
        /// The manifest is saved; removing the replaced files fails.
        case beforeOldFilesRemoved
        /// A tier file is torn (its fdatasync fails, power goes mid-write).
        case tierTorn

        var description: String { rawValue }

        func trips(_ operation: String, _ path: String) -> Bool {
            switch self {
            case .beforeManifestSave: operation == "rename" && path.hasSuffix("MANIFEST.json.tmp")
            case .manifestRenameUnsynced: operation == "fsync" && !path.hasSuffix("segments") && !path.hasSuffix("wal")
            case .manifestTorn: operation == "fdatasync" && path.hasSuffix("MANIFEST.json.tmp")
            case .beforeOldFilesRemoved: operation == "unlink" && path.hasSuffix(".seg")
            case .tierTorn: operation == "fdatasync" && path.hasSuffix(".tier.tmp")
            }
        }

        var compactionFails: Bool { self != .beforeOldFilesRemoved }
        var tears: Bool { self == .manifestTorn || self == .tierTorn }
    }

    @Test(arguments: CrashPoint.allCases, [21, 22] as [UInt64])
    func aCrashDuringCompactionLosesNothingAndCountsNothingTwice(point: CrashPoint, seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let fs = TrippingFileSystem()
        let engine = try F.open(fs)
        try await CompactionTests.randomSteps(engine, &rng, steps: 30)
        let before = try F.contents(engine)
        let storedBefore = F.storedRows(engine)
        #expect(storedBefore > F.rowCount(before), "the data should hold overwritten or deleted rows")

        fs.tripping = { point.trips($0, $1) }
        if point.compactionFails {
            await #expect(throws: (any Error).self) { _ = try await engine.compact() }
        } else {
            _ = try await engine.compact()
        }
        fs.tripping = nil
        if point.tears { fs.inner.crashTearingLastWrite(keepFraction: 0.5) } else { fs.inner.crash() }

        let reopened = try F.open(fs)
        #expect(try F.contents(reopened) == before, "\(point)")
        // The old set (every flushed segment) or the new (the compacted rows only), not a mix.
        let stored = F.storedRows(reopened)
        #expect(stored == storedBefore || stored == F.rowCount(before), "\(point): \(stored) rows stored")
        let named = reopened.state.withLock { s in Set(s.manifest.segments.map(\.file) + s.manifest.tiers.map(\.file)) }
        #expect(Set(try fs.listDirectory(F.dir + "/segments")) == named, "\(point)")
        // And the next compaction finishes the work.
        _ = try await reopened.compact()
        #expect(try F.contents(reopened) == before, "\(point)")
        #expect(F.storedRows(reopened) == F.rowCount(before), "\(point)")
        try await reopened.close()
    }
}

/// A fault-injecting file system that fails the operations a test picks by name and path
/// ("rename" by source, "fdatasync" by file, "fsync" by directory, "unlink").
final class TrippingFileSystem: FileSystem, Sendable {
    let inner = FaultInjectingFileSystem()
    private let trip = Mutex<(@Sendable (String, String) -> Bool)?>(nil)

    var tripping: (@Sendable (String, String) -> Bool)? {
        get { trip.withLock { $0 } }
        set { trip.withLock { $0 = newValue } }
    }

    func check(_ operation: String, _ path: String) throws(FileSystemError) {
        if tripping?(operation, path) ?? false {
            throw FileSystemError(operation: operation, path: path, errno: 5, message: "injected I/O error")
        }
    }

    func createDirectory(_ path: String) throws(FileSystemError) { try inner.createDirectory(path) }
    func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try inner.listDirectory(path) }
    func fileExists(_ path: String) -> Bool { inner.fileExists(path) }
    func fileSize(_ path: String) throws(FileSystemError) -> Int { try inner.fileSize(path) }
    func readFile(_ path: String) throws(FileSystemError) -> [UInt8] { try inner.readFile(path) }
    func openForReading(_ path: String) throws(FileSystemError) -> any ReadableFile { try inner.openForReading(path) }

    func openForAppend(_ path: String, create: Bool) throws(FileSystemError) -> any WritableFile {
        TrippingFile(file: try inner.openForAppend(path, create: create), path: path, fileSystem: self)
    }

    func rename(_ from: String, to: String) throws(FileSystemError) {
        try check("rename", from)
        try inner.rename(from, to: to)
    }

    func remove(_ path: String) throws(FileSystemError) {
        try check("unlink", path)
        try inner.remove(path)
    }

    func truncate(_ path: String, to size: Int) throws(FileSystemError) { try inner.truncate(path, to: size) }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        try check("fsync", path)
        try inner.syncDirectory(path)
    }

    func lock(_ path: String) throws(FileSystemError) -> any FileLock { try inner.lock(path) }
}

final class TrippingFile: WritableFile {
    let file: any WritableFile
    let path: String
    let fileSystem: TrippingFileSystem

    init(file: any WritableFile, path: String, fileSystem: TrippingFileSystem) {
        self.file = file
        self.path = path
        self.fileSystem = fileSystem
    }

    var size: Int { file.size }
    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) { try file.append(bytes) }

    func sync() throws(FileSystemError) {
        try fileSystem.check("fdatasync", path)
        try file.sync()
    }

    func close() throws(FileSystemError) { try file.close() }
}
