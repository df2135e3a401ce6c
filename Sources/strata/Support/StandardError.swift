#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum StandardError {
    /// write(2) rather than stdio's `stderr`, a C global that Swift 6 rejects as shared state.
    static func write(_ s: String) {
        writeAll(s, to: STDERR_FILENO)
    }

    /// All of `s` to `descriptor` with write(2), retrying on EINTR; gives up on an error
    /// (nothing useful can be reported about a failing terminal or log).
    static func writeAll(_ s: String, to descriptor: Int32) {
        var bytes = Array(s.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
