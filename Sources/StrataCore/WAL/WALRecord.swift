// See docs/format/wal.md for the byte layout this file writes and reads.

/// The framing of one WAL record and of a WAL file's header.
enum WALFormat {
    /// "STRWAL" then format version 1 (two bytes), so `file` and humans recognise the file.
    static let magic: [UInt8] = Array("STRWAL".utf8) + [0, 1]
    /// magic (8) + first sequence (u64) + CRC-32C of those 16 bytes (u32).
    static let fileHeaderSize = 20
    /// length (u32) + crc (u32) + sequence (u64) + type (u8).
    static let recordHeaderSize = 17
    /// A record larger than this is corrupt by definition: a write request is capped far
    /// below it (the server's body limit), and the bound stops a flipped length from making
    /// replay allocate gigabytes.
    static let maxPayloadSize = 256 << 20

    static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".wal"
    }

    static func firstSequence(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix(".wal"), name.count == 24 else { return nil }
        return UInt64(name.dropLast(4))
    }

    static func fileHeader(firstSequence: UInt64) -> [UInt8] {
        var w = BinaryWriter(capacity: fileHeaderSize)
        w.append(magic)
        w.u64(firstSequence)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// Appends one framed record. The CRC covers sequence, type and payload, so a record
    /// moved whole to another offset still checks, but any changed byte does not.
    static func appendRecord(sequence: UInt64, type: WALRecordType, payload: [UInt8], to w: inout BinaryWriter) {
        let start = w.count
        w.u32(UInt32(payload.count))
        w.u32(0)
        w.u64(sequence)
        w.u8(type.rawValue)
        w.append(payload)
        let crc = w.bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 8)...]))
        }
        w.patchU32(crc, at: start + 4)
    }
}

/// What a record's payload holds. Raw values are on disk: never renumber.
public enum WALRecordType: UInt8, Sendable {
    /// A `WriteBatch` (docs/format/wal.md, "Write batch payload").
    case writeBatch = 1
    /// A delete: series keys and a time range (docs/format/wal.md, "Tombstone payload").
    case tombstone = 2
}

/// One record as read back.
public struct WALRecord: Sendable, Equatable {
    public var sequence: UInt64
    public var type: WALRecordType
    public var payload: [UInt8]
}
