#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one seam through which StrataCore touches files (LevelDB's `Env`, Prometheus'
/// `fileutil`): POSIX in production, in memory for fast tests, fault-injecting for crash tests.
///
/// Paths are plain strings joined with "/". Durability follows POSIX: bytes appended to a
/// file are durable only after `WritableFile.sync()`; a file's name (create, rename, remove)
/// is durable only after `syncDirectory` of its parent.
public protocol FileSystem: Sendable {
    /// Creates the directory and its missing parents; succeeds if it exists.
    func createDirectory(_ path: String) throws(FileSystemError)
    /// Names (not paths) of the entries of a directory, sorted. Missing directory: error.
    func listDirectory(_ path: String) throws(FileSystemError) -> [String]
    func fileExists(_ path: String) -> Bool
    func fileSize(_ path: String) throws(FileSystemError) -> Int
    /// The whole file.
    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]
    /// Opens for reading at any offset. The file stays readable through the handle after
    /// its name is removed (POSIX unlink semantics), as long as the handle lives.
    func openForReading(_ path: String) throws(FileSystemError) -> any ReadableFile
    /// Opens for appending at the end; creates the file (size 0) if `create` and missing.
    func openForAppend(_ path: String, create: Bool) throws(FileSystemError) -> any WritableFile
    /// Atomically replaces `to` with `from` (POSIX rename).
    func rename(_ from: String, to: String) throws(FileSystemError)
    func remove(_ path: String) throws(FileSystemError)
    /// Cuts a file to `size` bytes (used to drop a torn WAL tail).
    func truncate(_ path: String, to size: Int) throws(FileSystemError)
    /// Makes the directory's entries (creates, renames, removes) durable.
    func syncDirectory(_ path: String) throws(FileSystemError)
    /// Takes an exclusive advisory lock on `path` (created if missing) without waiting;
    /// throws `FileSystemError` with errno EWOULDBLOCK if another holder has it. The lock
    /// lasts until `release()` or the process ends.
    func lock(_ path: String) throws(FileSystemError) -> any FileLock
}

/// A held lock; see `FileSystem.lock`.
public protocol FileLock: AnyObject, Sendable {
    func release()
}

/// A file open for reading at any offset (`pread`): reads do not move a position, so any
/// number of threads may read at once. Closed when the last reference goes.
public protocol ReadableFile: AnyObject, Sendable {
    /// Bytes in the file when it was opened.
    var size: Int { get }
    /// Exactly `count` bytes from `offset`; a range past the end is an error.
    func read(at offset: Int, count: Int) throws(FileSystemError) -> [UInt8]
}

/// A file open for appending. Not thread-safe: one owner at a time.
public protocol WritableFile: AnyObject {
    /// Bytes in the file, synced or not.
    var size: Int { get }
    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError)
    /// fdatasync: everything appended so far is durable when this returns.
    func sync() throws(FileSystemError)
    func close() throws(FileSystemError)
}

extension WritableFile {
    public func append(_ bytes: [UInt8]) throws(FileSystemError) {
        do {
            try bytes.withUnsafeBytes { buffer in try self.append(buffer) }
        } catch let error as FileSystemError {
            throw error
        } catch {
            throw FileSystemError(operation: "append", path: "?", errno: 0, message: "\(error)")
        }
    }
}

public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    /// The POSIX errno, or 0 when the failure is not an errno (in-memory, injected).
    public var errno: Int32
    public var message: String

    public init(operation: String, path: String, errno: Int32, message: String) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.message = message
    }

    public var description: String { "\(operation) \(path): \(message)" }

    public static let enoent: Int32 = ENOENT
    /// What `flock(LOCK_NB)` fails with when another process holds the lock (11 on Linux,
    /// 35 on Darwin).
    public static let ewouldblock: Int32 = EWOULDBLOCK
}

extension FileSystem {
    /// Writes a whole file so that a crash leaves either the old content or the new, never
    /// a mix: temp file, fsync, rename, fsync directory.
    public func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileSystemError) {
        let temp = path + ".tmp"
        if fileExists(temp) { try remove(temp) }
        let file = try openForAppend(temp, create: true)
        try file.append(contents)
        try file.sync()
        try file.close()
        try rename(temp, to: path)
        try syncDirectory(FilePath.parent(of: path))
    }
}

/// Small path helpers, so StrataCore does not need Foundation's URL for string paths.
public enum FilePath {
    public static func join(_ parts: String...) -> String {
        var out = ""
        for part in parts where !part.isEmpty {
            if out.isEmpty || out.hasSuffix("/") { out += part } else { out += "/" + part }
        }
        return out
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
