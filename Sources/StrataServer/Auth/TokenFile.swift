import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX side of the token store: an exclusive lock beside the file, an atomic replace
/// (temp file, fsync, rename, fsync of the directory) and the identity of the file's current
/// version. The engine's `FileSystem` seam is StrataCore's; this file is not engine data.
enum TokenFile {
    /// How long `withLock` waits for another `strata token` process: a create or revoke
    /// holds the lock for a few milliseconds (one small read and one fsynced write), so
    /// 10 s means something is stuck, and saying so beats hanging.
    static let lockWait: Duration = .seconds(10)
    /// Seconds between attempts: a lock is held for milliseconds.
    static let lockPoll: TimeInterval = 0.01

    /// Runs `body` holding `flock(LOCK_EX)` on `lockPath`, created with mode 0600.
    static func withLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TokenStoreError.io(path: lockPath, operation: "open", errno: errno) }
        defer { close(fd) }
        let deadline = ContinuousClock.now + lockWait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw TokenStoreError.io(path: lockPath, operation: "lock", errno: errno)
            }
            guard ContinuousClock.now < deadline else { throw TokenStoreError.busy(path: lockPath) }
            Thread.sleep(forTimeInterval: lockPoll)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The file's bytes, nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw TokenStoreError.io(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw TokenStoreError.io(path: path, operation: "read", errno: errno) }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// Replaces `path` with `bytes` so that a reader sees the old or the new file whole, and
    /// the new one survives a crash once this returns. Mode 0600: hashes are not secrets,
    /// but the list of tokens and their devices is nobody else's business.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TokenStoreError.io(path: temp, operation: "create", errno: errno) }
        do {
            defer { close(fd) }
            // O_TRUNC keeps the mode of a temp file left by a crash: set it again.
            guard fchmod(fd, 0o600) == 0 else { throw TokenStoreError.io(path: temp, operation: "chmod", errno: errno) }
            try writeAll(fd, bytes, path: temp)
            guard fsync(fd) == 0 else { throw TokenStoreError.io(path: temp, operation: "fsync", errno: errno) }
        }
        guard rename(temp, path) == 0 else { throw TokenStoreError.io(path: path, operation: "rename", errno: errno) }
        try syncDirectory(of: path)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw TokenStoreError.io(path: path, operation: "write", errno: errno) }
            offset += n
        }
    }

    private static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw TokenStoreError.io(path: directory, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw TokenStoreError.io(path: directory, operation: "fsync", errno: errno) }
    }

    /// Which version of the file is on disk: a rename gives a new inode, so this changes with
    /// every replace even within one mtime tick. nil when there is no file.
    struct Stamp: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    static func stamp(_ path: String) -> Stamp? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Stamp(
            device: UInt64(s.st_dev), inode: UInt64(s.st_ino), size: Int64(s.st_size),
            modifiedSeconds: Int(modified(s).tv_sec), modifiedNanoseconds: Int(modified(s).tv_nsec))
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
private func modified(_ s: stat) -> timespec { s.st_mtim }
#elseif canImport(Darwin)
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
private func modified(_ s: stat) -> timespec { s.st_mtimespec }
#endif
