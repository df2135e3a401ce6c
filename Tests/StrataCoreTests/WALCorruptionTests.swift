import Testing
@testable import StrataCore

/// Damage done to a WAL file of four records (header 20 bytes, records of 32 bytes at
/// offsets 20, 52, 84, 116; the file ends at 148), and what reopening must do about it.
struct WALDamage: Sendable, CustomStringConvertible {
    enum Expected: Sendable {
        /// Replays these sequences and reports a cut tail.
        case tornTail(replayed: [UInt64], fileSize: Int)
        /// Refuses to open, naming the offset.
        case corruptAt(Int)
        case badHeader
    }

    var description: String
    var damage: @Sendable (FaultInjectingFileSystem, String) throws -> Void
    var expected: Expected

    static func appendBytes(_ bytes: [UInt8]) -> @Sendable (FaultInjectingFileSystem, String) throws -> Void {
        { fs, path in try fs.overwrite(path, at: try fs.fileSize(path), with: bytes) }
    }

    static func fifthRecord() -> [UInt8] {
        var w = BinaryWriter()
        WALFormat.appendRecord(sequence: 5, type: .writeBatch, payload: WALTests.payload(5), to: &w)
        return w.bytes
    }

    static let all: [WALDamage] = [
        WALDamage(description: "torn tail: a record cut after 10 bytes",
                  damage: appendBytes(Array(fifthRecord().prefix(10))), expected: .tornTail(replayed: [1, 2, 3, 4], fileSize: 148)),
        WALDamage(description: "truncated record header (8 of 17 bytes)",
                  damage: appendBytes(Array(fifthRecord().prefix(8))), expected: .tornTail(replayed: [1, 2, 3, 4], fileSize: 148)),
        WALDamage(description: "last record truncated inside its payload",
                  damage: { fs, path in try fs.truncate(path, to: 143) }, expected: .tornTail(replayed: [1, 2, 3], fileSize: 116)),
        WALDamage(description: "bad CRC in the last record",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 140, bit: 3) },
                  expected: .tornTail(replayed: [1, 2, 3], fileSize: 116)),
        WALDamage(description: "zero-filled tail (preallocated space)",
                  damage: appendBytes([UInt8](repeating: 0, count: 4_096)), expected: .tornTail(replayed: [1, 2, 3, 4], fileSize: 148)),
        WALDamage(description: "bit flip in the middle record's payload",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 52 + 20, bit: 0) }, expected: .corruptAt(52)),
        WALDamage(description: "bit flip in the middle record's length",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 52 + 3, bit: 6) }, expected: .corruptAt(52)),
        WALDamage(description: "bit flip in the middle record's sequence",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 52 + 9, bit: 1) }, expected: .corruptAt(52)),
        WALDamage(description: "bad magic in the file header",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 0, bit: 0) }, expected: .badHeader),
        WALDamage(description: "bit flip in the file header's first sequence",
                  damage: { fs, path in try fs.flipBit(path, byteOffset: 9, bit: 0) }, expected: .badHeader),
    ]
}

@Suite struct WALCorruptionTests {
    @Test(arguments: WALDamage.all)
    func reopenAfterDamage(_ c: WALDamage) async throws {
        let fs = FaultInjectingFileSystem()
        try await WALTests.fill(fs, count: 4)
        let path = try WALTests.onlyFile(fs)
        #expect(try fs.fileSize(path) == 148)
        try c.damage(fs, path)
        switch c.expected {
        case let .tornTail(replayed, fileSize):
            let (log, report, records) = try WALTests.open(fs)
            #expect(records.map(\.sequence) == replayed)
            #expect(report.truncatedTail != nil)
            #expect(try fs.fileSize(path) == fileSize)
            // New records follow the last good one, and a second reopen sees them all.
            let next = try await log.append(type: .writeBatch, payload: [9]) { _ in }
            #expect(next == UInt64(replayed.count + 1))
            await log.close()
            let (_, again, all) = try WALTests.open(fs)
            #expect(all.map(\.sequence) == replayed + [next])
            #expect(again.truncatedTail == nil)
        case let .corruptAt(offset):
            do {
                _ = try WALTests.open(fs)
                Issue.record("opened a WAL corrupt at \(offset)")
            } catch let WALError.corruptRecord(errorPath, errorOffset, _, _) {
                #expect(errorPath == path)
                #expect(errorOffset == offset)
            }
        case .badHeader:
            #expect(throws: WALError.self) { _ = try WALTests.open(fs) }
        }
    }

    @Test func missingMiddleFileIsAGapNotASilentSkip() async throws {
        let fs = FaultInjectingFileSystem()
        try await WALTests.fill(fs, count: 30, segmentBytes: 150)
        let names = try fs.listDirectory(WALTests.directory)
        #expect(names.count >= 3)
        try fs.remove(FilePath.join(WALTests.directory, names[1]))
        #expect(throws: WALError.self) { _ = try WALTests.open(fs) }
    }

    @Test func unfinishedNewestFileHeaderIsDropped() async throws {
        let fs = FaultInjectingFileSystem()
        try await WALTests.fill(fs, count: 4)
        let partial = FilePath.join(WALTests.directory, WALFormat.fileName(firstSequence: 5))
        try fs.overwrite(partial, at: 0, with: Array(WALFormat.fileHeader(firstSequence: 5).prefix(7)))
        let (_, report, records) = try WALTests.open(fs)
        #expect(records.map(\.sequence) == [1, 2, 3, 4])
        #expect(report.truncatedTail != nil)
        #expect(!fs.fileExists(partial))
    }
}
