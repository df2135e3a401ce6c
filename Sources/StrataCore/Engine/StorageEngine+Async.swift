import Logging

/// The blocking engine calls for async callers. Each synchronous one is marked
/// `@available(*, noasync)`: opening reads and checks every file, a manifest save fsyncs
/// twice, a scan decodes blocks. Here they run on the engine's own threads
/// (`EngineThreads`), never holding a thread of Swift's cooperative pool, which serves
/// every connection. Call order and errors are those of the synchronous forms.
extension StorageEngine {
    /// `open`, on the I/O thread.
    public static func open(
        directory: String, options: EngineOptions = EngineOptions(),
        fileSystem: any FileSystem = PosixFileSystem(), logger: Logger = Logger(label: "strata.engine")
    ) async throws -> StorageEngine {
        try await options.threads.io.run { try open(directory: directory, options: options, fileSystem: fileSystem, logger: logger) }
    }

    /// `createDatabase`, its manifest save on the I/O thread.
    public func createDatabase(_ name: String, policy: String = DatabaseRetention.rawPolicyName,
                               retention: DatabaseRetention? = nil) async throws {
        try await threads.io.run { [self] in try createDatabase(name, policy: policy, retention: retention) }
    }

    /// `setRawPolicy`, its manifest save on the I/O thread.
    public func setRawPolicy(_ name: String, database: String, retention: DatabaseRetention,
                             makeDefault: Bool) async throws {
        try await threads.io.run { [self] in
            try setRawPolicy(name, database: database, retention: retention, makeDefault: makeDefault)
        }
    }

    /// `setRetention`, its manifest save on the I/O thread.
    public func setRetention(_ retention: DatabaseRetention, database: String) async throws {
        try await threads.io.run { [self] in try setRetention(retention, database: database) }
    }

    /// `scan`, decoding on a scan thread and the helpers it hands series to.
    public func scan(database: String, measurement: String, where predicate: TagPredicate = .all,
                     fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max) async throws -> [SeriesRows] {
        try await threads.scan.run { [self] in
            try scan(database: database, measurement: measurement, where: predicate, fields: fields, range: range)
        }
    }

    /// `snapshotScan`, decoding on a scan thread and its helpers.
    public func snapshotScan(database: String, measurement: String, where predicate: TagPredicate = .all,
                             fields: Set<String>? = nil, range: ClosedRange<Int64> = Int64.min...Int64.max
    ) async throws -> (series: [SeriesRows], sequence: UInt64) {
        try await threads.scan.run { [self] in
            try snapshotScan(database: database, measurement: measurement, where: predicate, fields: fields, range: range)
        }
    }
}
