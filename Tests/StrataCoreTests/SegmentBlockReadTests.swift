@testable import StrataCore
import Testing

/// Segments are read block by block when a scan needs them (docs/architecture.md, "Reading
/// in windows"): opening reads only the header, footer and series table, so a read error or
/// a flipped bit in a block shows at the scan that reads it, and a segment's memory does not
/// include its blocks.
@Suite struct SegmentBlockReadTests {
    static func engine(_ fs: FaultInjectingFileSystem) async throws -> StorageEngine {
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: fs)
        _ = try await engine.write(WriteBatch(database: "db", points: (0..<500).map {
            robotPoint(device: $0 % 2, second: Int64($0), battery: Double($0))
        }))
        try await engine.flush()
        return engine
    }

    @Test func blocksAreReadWhenAScanNeedsThem() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await Self.engine(fs)
        fs.fail("read")
        await #expect(throws: FileSystemError.self) {
            _ = try await engine.scan(database: "db", measurement: "robot")
        }
        fs.heal()
        #expect(try await engine.scan(database: "db", measurement: "robot").map(\.count) == [250, 250])
        try await engine.close()
    }

    @Test func aBitFlippedInABlockAfterOpenIsCaughtByItsChecksum() async throws {
        let fs = FaultInjectingFileSystem()
        let engine = try await Self.engine(fs)
        let reader = try #require(engine.segmentReaders().first)
        let block = try #require(reader.series.first?.rowBlocks.first?.timestamps)
        try fs.flipBit(reader.path, byteOffset: block.offset + block.length / 2, bit: 3)
        await #expect {
            _ = try await engine.scan(database: "db", measurement: "robot")
        } throws: { error in
            "\(error)".contains("checksum mismatch")
        }
        try await engine.close()
    }
}
