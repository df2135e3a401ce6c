import Logging
import Testing
@testable import StrataCore

@Suite struct WALTests {
    static let directory = "/data/wal"

    /// Opens a log on `fs`, collecting replayed records above `after`.
    static func open(_ fs: any FileSystem, after: UInt64 = 0, segmentBytes: Int = 1 << 20) throws
        -> (WriteAheadLog, WALReplayReport, [WALRecord]) {
        var replayed: [WALRecord] = []
        let (log, report) = try WriteAheadLog.open(
            directory: directory, fileSystem: fs, segmentBytes: segmentBytes, logger: Logger(label: "test"),
            afterSequence: after) { replayed.append($0) }
        return (log, report, replayed)
    }

    static func payload(_ i: Int) -> [UInt8] { Array("record number \(i)".utf8) }

    /// Writes `count` records, one durable append each, and closes the log.
    static func fill(_ fs: any FileSystem, count: Int, segmentBytes: Int = 1 << 20) async throws {
        let (log, _, _) = try open(fs, segmentBytes: segmentBytes)
        for i in 1...count {
            let seq = try await log.append(type: .writeBatch, payload: payload(i)) { _ in }
            #expect(seq == UInt64(i))
        }
        await log.close()
    }

    static func onlyFile(_ fs: FaultInjectingFileSystem) throws -> String {
        let names = try fs.listDirectory(directory)
        #expect(names.count == 1)
        return FilePath.join(directory, names[0])
    }

    @Test func appendsAndReplaysInOrder() async throws {
        let fs = FaultInjectingFileSystem()
        try await Self.fill(fs, count: 5)
        let (_, report, replayed) = try Self.open(fs)
        #expect(replayed.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(replayed.map(\.payload) == (1...5).map(Self.payload))
        #expect(report.truncatedTail == nil)
        #expect(report.lastSequence == 5)
    }

    @Test func replaySkipsWhatSegmentsHold() async throws {
        let fs = FaultInjectingFileSystem()
        try await Self.fill(fs, count: 5)
        let (log, report, replayed) = try Self.open(fs, after: 3)
        #expect(replayed.map(\.sequence) == [4, 5])
        #expect(report.recordsSkipped == 3)
        let next = try await log.append(type: .writeBatch, payload: [1]) { _ in }
        #expect(next == 6)
    }

    @Test func groupCommitAppliesEveryRecordOnceInSequenceOrder() async throws {
        let fs = FaultInjectingFileSystem()
        let (log, _, _) = try Self.open(fs)
        let applied = AppliedLog()
        try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<200 {
                group.addTask { try await log.append(type: .writeBatch, payload: Self.payload(i)) { applied.add($0) } }
            }
            var sequences: [UInt64] = []
            for try await s in group { sequences.append(s) }
            #expect(sequences.sorted() == Array(1...200))
        }
        #expect(applied.values == Array(1...200))
    }

    @Test func rotationKeepsSequencesContinuousAcrossFiles() async throws {
        let fs = FaultInjectingFileSystem()
        try await Self.fill(fs, count: 50, segmentBytes: 200)
        #expect(try fs.listDirectory(Self.directory).count > 3)
        let (log, _, replayed) = try Self.open(fs, segmentBytes: 200)
        #expect(replayed.map(\.sequence) == Array(1...50))
        #expect(try log.retained(after: 20)?.map(\.sequence) == Array(21...50))
    }

    @Test func retentionRemovesOnlyFlushedClosedFiles() async throws {
        let fs = FaultInjectingFileSystem()
        try await Self.fill(fs, count: 50, segmentBytes: 200)
        let (log, _, _) = try Self.open(fs, segmentBytes: 200)
        let before = log.fileInfos
        let removed = try log.removeFlushedFiles(flushedThrough: 25, maxAgeSeconds: 0, maxBytes: 0,
                                                 now: SystemClock().seconds() + 1)
        #expect(!removed.isEmpty)
        let after = log.fileInfos
        #expect(after.count == before.count - removed.count)
        // Everything above the flushed sequence is still readable.
        #expect(try log.retained(after: 25)?.map(\.sequence) == Array(26...50))
        // A position that was removed is reported as gone, not as empty.
        #expect(try log.retained(after: 0) == nil)
    }

    @Test func writeFailurePoisonsTheLog() async throws {
        let fs = FaultInjectingFileSystem()
        let (log, _, _) = try Self.open(fs)
        fs.fail("fdatasync")
        await #expect(throws: WALError.self) { try await log.append(type: .writeBatch, payload: [1]) { _ in } }
        fs.heal()
        await #expect(throws: WALError.self) { try await log.append(type: .writeBatch, payload: [2]) { _ in } }
    }

    @Test func unsyncedRecordsVanishInACrashAndSyncedOnesStay() async throws {
        let fs = FaultInjectingFileSystem()
        try await Self.fill(fs, count: 3)
        // An append that never reached its sync.
        let file = try fs.openForAppend(try Self.onlyFile(fs), create: false)
        var w = BinaryWriter()
        WALFormat.appendRecord(sequence: 4, type: .writeBatch, payload: Self.payload(4), to: &w)
        try file.append(w.bytes)
        fs.crashTearingLastWrite(keepFraction: 0.6)
        let (_, report, replayed) = try Self.open(fs)
        #expect(replayed.map(\.sequence) == [1, 2, 3])
        #expect(report.truncatedTail != nil)
    }
}

/// Sequences seen by `onDurable`, in call order.
final class AppliedLog: @unchecked Sendable {
    private let lock = NSLockLike()
    private var storage: [UInt64] = []
    func add(_ v: UInt64) { lock.run { storage.append(v) } }
    var values: [UInt64] { lock.run { storage } }
}

import Synchronization
final class NSLockLike: Sendable {
    private let mutex = Mutex(())
    func run<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
}
