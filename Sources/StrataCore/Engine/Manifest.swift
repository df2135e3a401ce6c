// See docs/format/manifest.md.
import Foundation

/// The one file that says which segments are live and how much of the WAL they cover.
/// Replaced atomically (temp file, fsync, rename, fsync directory), so a crash leaves the
/// old manifest or the new, and a segment file not named here is ignored (and removed).
struct Manifest: Codable, Equatable, Sendable {
    static let fileName = "MANIFEST.json"
    static let currentVersion = 1

    struct SegmentEntry: Codable, Equatable, Sendable {
        var file: String
        /// Highest WAL sequence whose rows are in this segment or an earlier one.
        var flushedThrough: UInt64
        var minTime: Int64
        var maxTime: Int64
        var series: Int
        var rows: Int
        var bytes: Int
    }

    var version = Manifest.currentVersion
    /// Every WAL record at or below this sequence is in a segment; replay starts above it.
    var flushedThrough: UInt64 = 0
    var nextSegmentNumber: UInt64 = 1
    var databases: [String] = []
    var segments: [SegmentEntry] = []

    static func load(directory: String, fileSystem: any FileSystem) throws -> Manifest {
        let path = FilePath.join(directory, fileName)
        guard fileSystem.fileExists(path) else { return Manifest() }
        let bytes = try fileSystem.readFile(path)
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
        } catch {
            throw EngineError.corruptManifest(path: path, reason: "\(error)")
        }
        guard manifest.version == currentVersion else {
            throw EngineError.corruptManifest(path: path, reason: "version \(manifest.version), this build reads \(currentVersion)")
        }
        return manifest
    }

    func save(directory: String, fileSystem: any FileSystem) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try fileSystem.writeFileAtomically(FilePath.join(directory, Manifest.fileName), contents: Array(data))
    }
}

public enum EngineError: Error, Sendable, CustomStringConvertible {
    case corruptManifest(path: String, reason: String)
    case corruptSegment(path: String, reason: String)
    case corruptWALRecord(sequence: UInt64, reason: String)
    case closed
    case invalidName(String)
    case directoryInUse(String)

    public var description: String {
        switch self {
        case let .corruptManifest(path, reason): "manifest \(path) is unreadable: \(reason)"
        case let .corruptSegment(path, reason): "segment \(path) is corrupt: \(reason)"
        case let .corruptWALRecord(sequence, reason): "WAL record \(sequence) does not decode: \(reason)"
        case .closed: "the storage engine is closed"
        case let .invalidName(reason): reason
        case let .directoryInUse(directory):
            "data directory \(directory) is in use by another Strata process (a running `strata serve`?); stop it first"
        }
    }
}
