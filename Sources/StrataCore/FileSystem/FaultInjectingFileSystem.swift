import Synchronization

/// An in-memory file system that tests can crash and corrupt: drop every unsynced byte and
/// name, tear the last unsynced write, flip bits, zero a tail, or make writes and syncs fail
/// (a full or failing disk). See docs/testing.md.
public final class FaultInjectingFileSystem: FileSystem, Sendable {
    public let base = InMemoryFileSystem()

    /// Operations ("write", "fdatasync", "rename", ...) that fail until cleared.
    private let failing = Mutex<Set<String>>([])
    /// Called before each operation; see `onOperation`.
    /// Boxed: a function value read out of a `Mutex` through `withLock`'s inout argument is
    /// written back wrapped in two more reabstraction thunks each time (see `ClientProbe`).
    private let hook = Mutex<Hook?>(nil)

    private final class Hook: Sendable {
        let body: @Sendable (_ operation: String, _ path: String) -> Void
        init(_ body: @escaping @Sendable (_ operation: String, _ path: String) -> Void) { self.body = body }
    }

    public init() {}

    /// Simulates a power loss: only synced bytes and synced directory entries remain.
    public func crash() { base.simulateCrash(tearLastWrite: false, keepFraction: 0) }

    /// Simulates a power loss in the middle of the last unsynced write of each file:
    /// `keepFraction` of its bytes reach the disk.
    public func crashTearingLastWrite(keepFraction: Double = 0.5) {
        base.simulateCrash(tearLastWrite: true, keepFraction: keepFraction)
    }

    public func flipBit(_ path: String, byteOffset: Int, bit: Int) throws(FileSystemError) {
        try base.flipBit(path, byteOffset: byteOffset, bit: bit)
    }

    public func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws(FileSystemError) {
        try base.overwrite(path, at: offset, with: bytes)
    }

    /// Makes every later `operation` fail with EIO until `heal()`.
    public func fail(_ operation: String) { failing.withLock { _ = $0.insert(operation) } }
    public func heal() { failing.withLock { $0.removeAll() } }

    /// Calls `body` with the operation's name ("write", "fdatasync", "fsync" of a directory,
    /// "rename", "open", "read", ...) and path before each operation, on the thread doing it,
    /// so a test can see where work runs or hold an operation (block in `body`) while it
    /// checks what the rest of the engine does meanwhile. Nil removes it.
    public func onOperation(_ body: (@Sendable (_ operation: String, _ path: String) -> Void)?) {
        let boxed = body.map(Hook.init)
        hook.withLock { $0 = boxed }
    }

    private func check(_ operation: String, _ path: String) throws(FileSystemError) {
        if let hook = hook.withLock({ $0 }) { hook.body(operation, path) }
        if failing.withLock({ $0.contains(operation) }) {
            throw FileSystemError(operation: operation, path: path, errno: 5, message: "injected I/O error")
        }
    }

    public func createDirectory(_ path: String) throws(FileSystemError) {
        try check("mkdir", path)
        try base.createDirectory(path)
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try base.listDirectory(path) }
    public func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    public func fileSize(_ path: String) throws(FileSystemError) -> Int { try base.fileSize(path) }

    public func readFile(_ path: String) throws(FileSystemError) -> [UInt8] {
        try check("read", path)
        return try base.readFile(path)
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any ReadableFile {
        try check("read", path)
        return FaultInjectingReadableFile(base: try base.openForReading(path), fileSystem: self, path: path)
    }

    /// `check` for a read through an open handle.
    fileprivate func checkRead(_ path: String) throws(FileSystemError) {
        try check("read", path)
    }

    public func openForAppend(_ path: String, create: Bool) throws(FileSystemError) -> any WritableFile {
        try check("open", path)
        let file = try base.openForAppend(path, create: create)
        if let file = file as? InMemoryWritableFile {
            file.faultCheck = { [weak self] (operation: String) throws(FileSystemError) in
                try self?.check(operation, path)
            }
        }
        return file
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        try check("rename", from)
        try base.rename(from, to: to)
    }

    public func remove(_ path: String) throws(FileSystemError) {
        try check("unlink", path)
        try base.remove(path)
    }

    public func truncate(_ path: String, to size: Int) throws(FileSystemError) {
        try check("truncate", path)
        try base.truncate(path, to: size)
    }

    public func lock(_ path: String) throws(FileSystemError) -> any FileLock {
        try base.lock(path)
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        try check("fsync", path)
        try base.syncDirectory(path)
    }
}

/// Each read may fail as `fail("read")` says.
final class FaultInjectingReadableFile: ReadableFile {
    private let base: any ReadableFile
    private let fileSystem: FaultInjectingFileSystem
    let path: String

    init(base: any ReadableFile, fileSystem: FaultInjectingFileSystem, path: String) {
        self.base = base
        self.fileSystem = fileSystem
        self.path = path
    }

    var size: Int { base.size }

    func read(at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        try fileSystem.checkRead(path)
        return try base.read(at: offset, count: count)
    }
}
