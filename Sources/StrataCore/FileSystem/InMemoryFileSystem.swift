import Synchronization

/// A file system in memory that models what a crash keeps: appended bytes survive only up
/// to the last `sync()` of their file, and a name (create, rename, remove) only once its
/// directory was synced. `FaultInjectingFileSystem` drives the crash; tests that only need
/// speed use this one directly.
public final class InMemoryFileSystem: FileSystem, Sendable {
    final class Inode: @unchecked Sendable {
        // Guarded by the file system's mutex.
        var data: [UInt8] = []
        var syncedCount = 0
        /// Start of the last append not yet synced, so a crash can tear exactly that write.
        var lastUnsyncedAppend: Range<Int>?
    }

    struct State {
        var files: [String: Inode] = [:]
        var directories: Set<String> = ["/", "."]
        /// Names as the disk would show them after a crash.
        var durableFiles: [String: Inode] = [:]
        var durableDirectories: Set<String> = ["/", "."]
        /// Locks die with their process: a crash clears them.
        var locks: Set<String> = []
    }

    let state = Mutex(State())

    public init() {}

    public func createDirectory(_ path: String) throws(FileSystemError) {
        state.withLock { state in
            var current = path
            while current != "/" && current != "." && !current.isEmpty {
                state.directories.insert(current)
                // Directory creation is treated as durable at once: the engine syncs the
                // parent right after creating its directories, and modelling that adds nothing.
                state.durableDirectories.insert(current)
                current = FilePath.parent(of: current)
            }
        }
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        try state.withLock { state throws(FileSystemError) in
            guard state.directories.contains(path) else { throw Self.notFound("opendir", path) }
            var names = Set<String>()
            for name in state.files.keys where FilePath.parent(of: name) == path { names.insert(FilePath.name(of: name)) }
            for dir in state.directories where dir != path && FilePath.parent(of: dir) == path {
                names.insert(FilePath.name(of: dir))
            }
            return names.sorted()
        }
    }

    public func fileExists(_ path: String) -> Bool {
        state.withLock { $0.files[path] != nil || $0.directories.contains(path) }
    }

    public func fileSize(_ path: String) throws(FileSystemError) -> Int {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files[path] else { throw Self.notFound("stat", path) }
            return inode.data.count
        }
    }

    public func readFile(_ path: String) throws(FileSystemError) -> [UInt8] {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files[path] else { throw Self.notFound("open", path) }
            return inode.data
        }
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any ReadableFile {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files[path] else { throw Self.notFound("open", path) }
            return InMemoryReadableFile(inode: inode, fileSystem: self, path: path, size: inode.data.count)
        }
    }

    public func openForAppend(_ path: String, create: Bool) throws(FileSystemError) -> any WritableFile {
        let inode = try state.withLock { state throws(FileSystemError) -> Inode in
            if let existing = state.files[path] { return existing }
            guard create else { throw Self.notFound("open", path) }
            guard state.directories.contains(FilePath.parent(of: path)) else { throw Self.notFound("open", path) }
            let inode = Inode()
            state.files[path] = inode
            return inode
        }
        return InMemoryWritableFile(fileSystem: self, inode: inode, path: path)
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files.removeValue(forKey: from) else { throw Self.notFound("rename", from) }
            state.files[to] = inode
        }
    }

    public func remove(_ path: String) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            guard state.files.removeValue(forKey: path) != nil else { throw Self.notFound("unlink", path) }
        }
    }

    public func truncate(_ path: String, to size: Int) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files[path] else { throw Self.notFound("truncate", path) }
            if size < inode.data.count { inode.data.removeSubrange(size...) }
            // A truncate is metadata; treat it as durable together with the data before it.
            inode.syncedCount = min(inode.syncedCount, size)
            inode.lastUnsyncedAppend = nil
        }
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        state.withLock { state in
            state.durableFiles = state.durableFiles.filter { FilePath.parent(of: $0.key) != path }
            for (name, inode) in state.files where FilePath.parent(of: name) == path {
                state.durableFiles[name] = inode
            }
        }
    }

    public func lock(_ path: String) throws(FileSystemError) -> any FileLock {
        try state.withLock { state throws(FileSystemError) in
            guard !state.locks.contains(path) else {
                throw FileSystemError(operation: "flock", path: path, errno: FileSystemError.ewouldblock,
                                      message: "Resource temporarily unavailable")
            }
            state.locks.insert(path)
        }
        return InMemoryFileLock(fileSystem: self, path: path)
    }

    /// What a power loss leaves: unsynced names vanish, unsynced bytes are cut off (or, with
    /// `tearLastWrite`, the last unsynced append survives in part: `keepFraction` of it).
    func simulateCrash(tearLastWrite: Bool, keepFraction: Double) {
        state.withLock { state in
            state.files = state.durableFiles
            state.locks = []
            for inode in Set(state.files.values.map(ObjectIdentifier.init)).compactMap({ id in
                state.files.values.first { ObjectIdentifier($0) == id }
            }) {
                var keep = inode.syncedCount
                if tearLastWrite, let torn = inode.lastUnsyncedAppend, torn.lowerBound == inode.syncedCount {
                    keep = torn.lowerBound + Int(Double(torn.count) * keepFraction)
                }
                keep = min(keep, inode.data.count)
                inode.data.removeSubrange(keep...)
                inode.syncedCount = keep
                inode.lastUnsyncedAppend = nil
            }
        }
    }

    /// Flips one bit of a file's content, durable at once (media corruption).
    func flipBit(_ path: String, byteOffset: Int, bit: Int) throws(FileSystemError) {
        try state.withLock { state throws(FileSystemError) in
            guard let inode = state.files[path], byteOffset < inode.data.count else {
                throw Self.notFound("flip", path)
            }
            inode.data[byteOffset] ^= UInt8(1 << (bit & 7))
        }
    }

    /// Replaces a range of a file's content, durably, creating the file if needed (what a
    /// crash can leave: zero-filled tails, half-written headers).
    func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws(FileSystemError) {
        state.withLock { state in
            let inode = state.files[path] ?? Inode()
            state.files[path] = inode
            state.durableFiles[path] = inode
            let end = offset + bytes.count
            if end > inode.data.count { inode.data.append(contentsOf: repeatElement(0, count: end - inode.data.count)) }
            inode.data.replaceSubrange(offset..<end, with: bytes)
            inode.syncedCount = max(inode.syncedCount, end)
        }
    }

    func append(_ bytes: UnsafeRawBufferPointer, to inode: Inode) {
        state.withLock { _ in
            let start = inode.data.count
            inode.data.append(contentsOf: bytes)
            if let pending = inode.lastUnsyncedAppend {
                inode.lastUnsyncedAppend = pending.lowerBound..<inode.data.count
            } else {
                inode.lastUnsyncedAppend = start..<inode.data.count
            }
        }
    }

    func sync(_ inode: Inode) {
        state.withLock { _ in
            inode.syncedCount = inode.data.count
            inode.lastUnsyncedAppend = nil
        }
    }

    func size(of inode: Inode) -> Int {
        state.withLock { _ in inode.data.count }
    }

    static func notFound(_ operation: String, _ path: String) -> FileSystemError {
        FileSystemError(operation: operation, path: path, errno: FileSystemError.enoent, message: "No such file or directory")
    }
}

final class InMemoryWritableFile: WritableFile {
    let fileSystem: InMemoryFileSystem
    let inode: InMemoryFileSystem.Inode
    let path: String
    /// Called before each operation; lets the fault-injecting file system fail it.
    var faultCheck: ((String) throws(FileSystemError) -> Void)?

    init(fileSystem: InMemoryFileSystem, inode: InMemoryFileSystem.Inode, path: String) {
        self.fileSystem = fileSystem
        self.inode = inode
        self.path = path
    }

    var size: Int { fileSystem.size(of: inode) }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        try faultCheck?("write")
        fileSystem.append(bytes, to: inode)
    }

    func sync() throws(FileSystemError) {
        try faultCheck?("fdatasync")
        fileSystem.sync(inode)
    }

    func close() throws(FileSystemError) {}
}

final class InMemoryFileLock: FileLock {
    let fileSystem: InMemoryFileSystem
    let path: String
    private let released = Atomic<Bool>(false)

    init(fileSystem: InMemoryFileSystem, path: String) {
        self.fileSystem = fileSystem
        self.path = path
    }

    deinit { release() }

    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        fileSystem.state.withLock { _ = $0.locks.remove(path) }
    }
}

/// Reads the inode it was opened on, as a descriptor does: later changes to the bytes (a
/// test flipping a bit) are seen, a removed or replaced name is not.
final class InMemoryReadableFile: ReadableFile, @unchecked Sendable {
    private let inode: InMemoryFileSystem.Inode
    private let fileSystem: InMemoryFileSystem
    let path: String
    let size: Int

    init(inode: InMemoryFileSystem.Inode, fileSystem: InMemoryFileSystem, path: String, size: Int) {
        self.inode = inode
        self.fileSystem = fileSystem
        self.path = path
        self.size = size
    }

    func read(at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        try fileSystem.state.withLock { _ throws(FileSystemError) in
            guard offset >= 0, count >= 0, offset + count <= inode.data.count else {
                throw FileSystemError(operation: "read", path: path, errno: 0,
                                      message: "range \(offset)+\(count) is past the end (\(inode.data.count) bytes)")
            }
            return Array(inode.data[offset..<(offset + count)])
        }
    }
}
