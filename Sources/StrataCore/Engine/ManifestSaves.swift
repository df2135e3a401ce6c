import Dispatch

/// Manifest saves, one at a time, in order, with the engine lock released while the file is
/// encoded, written and synced (a JSON encode and two fsyncs: milliseconds, during which
/// commits and reads used to wait).
///
/// Each save has three steps, all on this serial queue (its own thread, not the cooperative
/// pool's): `prepare` builds the manifest to save from the engine state under the lock (a
/// value copy); the file is replaced atomically with the lock released; `commit` publishes
/// the result under the lock. Since only these steps change what the manifest lists
/// (segments, tiers, flushedThrough, tombstones, retention, cuts) and they run one save at
/// a time, every save is prepared from the state the previous one committed: a later
/// manifest never reaches the disk before an earlier one, and never lacks what an earlier
/// one published. A failed save commits nothing (as before: the state stays as it was).
final class ManifestSaves: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue; the calling task waits suspended.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on the queue and waits for it, blocking the calling thread (for the
    /// synchronous APIs: `createDatabase`, `setRetention`).
    func runBlocking<T>(_ body: () throws -> T) throws -> T {
        try queue.sync(execute: body)
    }
}

extension StorageEngine {
    /// One manifest save on the manifest queue: `prepare` (under the lock) returns the
    /// manifest to save and what `commit` needs, or nil when there is nothing to save;
    /// the file is written with the lock released; `commit` (under the lock) publishes it.
    /// Call on the manifest queue only (`manifestSaves.run` / `runBlocking`).
    func performManifestSave<P: Sendable, R>(prepare: (inout EngineState) throws -> (Manifest, P)?,
                                   commit: (inout EngineState, Manifest, P) -> R) throws -> R? {
        guard let (manifest, prepared) = try state.withLock({ s throws in try prepare(&s) }) else { return nil }
        try manifest.save(directory: directory, fileSystem: fileSystem)
        return state.withLock { s in commit(&s, manifest, prepared) }
    }

    /// `performManifestSave` on the manifest queue, awaited.
    func saveManifest<P: Sendable, R: Sendable>(
        prepare: @escaping @Sendable (inout EngineState) throws -> (Manifest, P)?,
        commit: @escaping @Sendable (inout EngineState, Manifest, P) -> R
    ) async throws -> R? {
        try await manifestSaves.run { [self] in try performManifestSave(prepare: prepare, commit: commit) }
    }
}

extension EngineState {
    /// Makes a saved manifest the engine's. Two fields change in memory between saves and
    /// are kept: databases that writes named (`apply`) and file numbers reserved
    /// (`reserveFileNumber`) while the file was being written; the next save records them.
    /// (No save removes a database; one that did would have to drop it here too.)
    mutating func adopt(_ saved: Manifest) {
        var merged = saved
        merged.nextSegmentNumber = max(merged.nextSegmentNumber, manifest.nextSegmentNumber)
        let added = manifest.databases.filter { !merged.databases.contains($0) }
        if !added.isEmpty {
            merged.databases += added
            merged.databases.sort()
        }
        manifest = merged
    }
}
