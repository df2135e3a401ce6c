import Foundation

/// A fresh, unique temporary directory for one test, removed by `remove()`.
public struct TemporaryDirectory {
    public let path: String

    public init(prefix: String = "strata-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension TemporaryDirectory {
    /// A fresh, unique path in the temporary directory, not created: for a directory or
    /// file the code under test must create itself (`strata serve --data-dir`, a report); `suffix` is appended (`.json`).
    public static func uniquePath(prefix: String, suffix: String = "") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)").path
    }
}
