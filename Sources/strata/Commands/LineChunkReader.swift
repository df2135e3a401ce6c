#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or stdin for `-`) in chunks of whole lines, so a multi-GB file is never held
/// whole: each chunk ends just after a newline, except the last one of a file without a
/// final newline. A line longer than a chunk makes that chunk grow until the line ends.
final class LineChunkReader {
    let path: String
    /// Size of a regular file, for the progress bar; nil for pipes and stdin.
    let totalBytes: Int?
    private(set) var bytesRead = 0
    private let fd: Int32
    private let chunkBytes: Int
    private var carry: [UInt8] = []
    private var atEOF = false

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String, chunkBytes: Int) throws {
        self.path = path
        self.chunkBytes = chunkBytes
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw OpenError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
            }
        }
        var st = stat()
        totalBytes = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
    }

    deinit {
        if fd != STDIN_FILENO { close(fd) }
    }

    /// The next run of whole lines, or nil at the end of the input.
    func nextChunk() throws -> [UInt8]? {
        while true {
            if atEOF {
                guard !carry.isEmpty else { return nil }
                defer { carry = [] }
                return carry
            }
            let searchFrom = carry.count
            try readMore()
            if let newline = carry[searchFrom...].lastIndex(of: UInt8(ascii: "\n")) {
                let chunk = Array(carry[...newline])
                carry.removeSubrange(...newline)
                return chunk
            }
        }
    }

    private func readMore() throws {
        let start = carry.count
        carry.reserveCapacity(start + chunkBytes)
        var got = 0
        carry.append(contentsOf: repeatElement(0, count: chunkBytes))
        while got < chunkBytes {
            let n = carry.withUnsafeMutableBytes { buf in
                read(fd, buf.baseAddress! + start + got, chunkBytes - got)
            }
            if n < 0 {
                if errno == EINTR { continue }
                carry.removeSubrange((start + got)...)
                throw OpenError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                atEOF = true
                break
            }
            got += n
        }
        carry.removeSubrange((start + got)...)
        bytesRead += got
    }
}
