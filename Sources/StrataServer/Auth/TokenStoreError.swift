#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the token store could not be read or changed. Never carries a token's text.
public enum TokenStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(path: String, operation: String, errno: Int32)
    /// `tokens.json` is not what this version writes.
    case corrupt(path: String, detail: String)
    case unknownID(String)
    case invalid(String)
    /// Another process held the lock file for longer than the wait allows.
    case busy(path: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            return "\(operation) \(path): \(String(cString: strerror(errno)))"
        case let .corrupt(path, detail):
            return "\(path) is not a valid token file: \(detail)"
        case let .unknownID(id):
            return "no token with id \"\(id)\" (see strata token list)"
        case let .invalid(message):
            return message
        case let .busy(path):
            return "\(path) is locked by another process; try again"
        }
    }
}
