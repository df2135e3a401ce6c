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
