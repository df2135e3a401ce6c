#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage
import Synchronization

/// The production file system: POSIX calls through swift-system, `fdatasync` for durability.
public struct PosixFileSystem: FileSystem {
    public init() {}

    public func createDirectory(_ path: String) throws(FileSystemError) {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw Self.error("mkdir", built)
            }
        }
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else { throw Self.error("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func fileSize(_ path: String) throws(FileSystemError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Self.error("stat", path) }
        return Int(info.st_size)
    }

    public func readFile(_ path: String) throws(FileSystemError) -> [UInt8] {
        let file = try openForReading(path)
        return try file.read(at: 0, count: file.size)
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any ReadableFile {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readOnly) } catch { throw Self.error("open", path, error) }
        do {
            return PosixReadableFile(fd: fd, path: path, size: try fileSize(path))
        } catch {
            try? fd.close()
            throw error
        }
    }

    public func openForAppend(_ path: String, create: Bool) throws(FileSystemError) -> any WritableFile {
        do {
            let fd = try FileDescriptor.open(
                path, .writeOnly, options: create ? [.create, .append] : [.append],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
            return PosixWritableFile(fd: fd, path: path, size: try fileSize(path))
        } catch let error as FileSystemError {
            throw error
        } catch {
            throw Self.error("open", path, error)
        }
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        guard Glibc.rename(from, to) == 0 else { throw Self.error("rename", from + " -> " + to) }
    }

    public func remove(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 else { throw Self.error("unlink", path) }
    }

    public func truncate(_ path: String, to size: Int) throws(FileSystemError) {
        guard Glibc.truncate(path, off_t(size)) == 0 else { throw Self.error("truncate", path) }
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw Self.error("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Self.error("fsync", path) }
    }

    public func lock(_ path: String) throws(FileSystemError) -> any FileLock {
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw Self.error("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = Self.error("flock", path)
            close(fd)
            throw error
        }
        return PosixFileLock(fd: fd)
    }

    static func error(_ operation: String, _ path: String, _ underlying: (any Error)? = nil) -> FileSystemError {
        if let errno = underlying as? Errno {
            return FileSystemError(operation: operation, path: path, errno: errno.rawValue, message: errno.description)
        }
        let code = errno
        return FileSystemError(operation: operation, path: path, errno: code, message: String(cString: strerror(code)))
    }
}

final class PosixWritableFile: WritableFile {
    private let fd: FileDescriptor
    private let path: String
    private(set) var size: Int
    private var closed = false

    init(fd: FileDescriptor, path: String, size: Int) {
        self.fd = fd
        self.path = path
        self.size = size
    }

    deinit {
        if !closed { try? fd.close() }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        do {
            let written = try fd.writeAll(bytes)
            size += written
        } catch {
            throw PosixFileSystem.error("write", path, error)
        }
    }

    func sync() throws(FileSystemError) {
        // swift-system has no fsync; fdatasync skips the inode metadata we do not need.
        guard fdatasync(fd.rawValue) == 0 else { throw PosixFileSystem.error("fdatasync", path) }
    }

    func close() throws(FileSystemError) {
        guard !closed else { return }
        closed = true
        do { try fd.close() } catch { throw PosixFileSystem.error("close", path, error) }
    }
}

final class PosixFileLock: FileLock {
    private let fd: Int32
    private let released = Atomic<Bool>(false)

    init(fd: Int32) { self.fd = fd }

    deinit { release() }

    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// `pread` on a descriptor held open until the last reference goes.
final class PosixReadableFile: ReadableFile {
    private let fd: FileDescriptor
    let path: String
    let size: Int

    init(fd: FileDescriptor, path: String, size: Int) {
        self.fd = fd
        self.path = path
        self.size = size
    }

    deinit { try? fd.close() }

    func read(at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= size else {
            throw FileSystemError(operation: "read", path: path, errno: 0,
                                  message: "range \(offset)+\(count) is past the end (\(size) bytes)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n: Int
            do {
                n = try bytes.withUnsafeMutableBytes { buffer in
                    try fd.read(fromAbsoluteOffset: Int64(offset + done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
                }
            } catch {
                throw FileSystemError(operation: "read", path: path, errno: (error as? Errno)?.rawValue ?? 0, message: "\(error)")
            }
            guard n > 0 else {
                throw FileSystemError(operation: "read", path: path, errno: 0, message: "file shrank below \(offset + count) bytes")
            }
            done += n
        }
        return bytes
    }
}
