// See docs/format/wal.md, "Reading and recovery".

/// Reads one WAL file and tells a torn tail (the last write of a crash, cut short: safe to
/// drop) from corruption in the middle (later records exist: replay must stop loudly).
struct WALFileReader {
    let path: String
    let bytes: [UInt8]

    /// How the file ended.
    enum Ending: Equatable {
        case clean
        /// Bytes from `offset` on are an unfinished write; `reason` says what was wrong.
        case tornTail(offset: Int, reason: String)
    }

    struct Result {
        var firstSequence: UInt64
        var records: [WALRecord]
        var ending: Ending
    }

    /// Reads every record. `expectedSequence` is the sequence the first record must carry
    /// when known (continuity across files); records must then rise by exactly one.
    /// `keepRecords: false` leaves `Result.records` empty, for a reader that only streams.
    func read(keepRecords: Bool = true, onRecord: (WALRecord) throws -> Void = { _ in }) throws -> Result {
        let first = try readHeader()
        var records: [WALRecord] = []
        var offset = WALFormat.fileHeaderSize
        var expected = first
        while offset < bytes.count {
            switch decodeRecord(at: offset, expected: expected) {
            case .record(let record, let next):
                try onRecord(record)
                if keepRecords { records.append(record) }
                expected = record.sequence + 1
                offset = next
            case .bad(let reason):
                if let later = firstValidRecord(after: offset, minimumSequence: expected) {
                    throw WALError.corruptRecord(path: path, offset: offset, reason: reason,
                                                 laterValidOffset: later)
                }
                return Result(firstSequence: first, records: records, ending: .tornTail(offset: offset, reason: reason))
            }
        }
        return Result(firstSequence: first, records: records, ending: .clean)
    }

    private func readHeader() throws -> UInt64 {
        guard bytes.count >= WALFormat.fileHeaderSize else {
            throw WALError.badHeader(path: path, reason: "file is \(bytes.count) bytes, shorter than its 20-byte header")
        }
        guard Array(bytes[0..<8]) == WALFormat.magic else {
            throw WALError.badHeader(path: path, reason: "not a Strata WAL file (bad magic)")
        }
        var r = BinaryReader(bytes, offset: 8)
        let first = try r.u64()
        let crc = try r.u32()
        guard crc == CRC32C.checksum(bytes[0..<16]) else {
            throw WALError.badHeader(path: path, reason: "header checksum mismatch")
        }
        return first
    }

    private enum Decoded {
        case record(WALRecord, next: Int)
        case bad(String)
    }

    private func decodeRecord(at offset: Int, expected: UInt64?) -> Decoded {
        guard bytes.count - offset >= WALFormat.recordHeaderSize else {
            return .bad("\(bytes.count - offset) bytes left, less than a record header")
        }
        var r = BinaryReader(bytes, offset: offset)
        // Cannot throw: the header's 17 bytes were checked above.
        let length = Int((try? r.u32()) ?? 0)
        let crc = (try? r.u32()) ?? 0
        let sequence = (try? r.u64()) ?? 0
        let rawType = (try? r.u8()) ?? 0
        if length == 0 && crc == 0 && sequence == 0 { return .bad("zero-filled record header") }
        guard length <= WALFormat.maxPayloadSize else { return .bad("record length \(length) exceeds the limit") }
        let end = offset + WALFormat.recordHeaderSize + length
        guard end <= bytes.count else { return .bad("record of \(length) bytes runs past the end of the file") }
        guard crc == CRC32C.checksum(bytes[(offset + 8)..<end]) else { return .bad("checksum mismatch") }
        guard let type = WALRecordType(rawValue: rawType) else { return .bad("unknown record type \(rawType)") }
        if let expected, sequence != expected {
            return .bad("sequence \(sequence) where \(expected) was expected")
        }
        return .record(WALRecord(sequence: sequence, type: type, payload: Array(bytes[(end - length)..<end])), next: end)
    }

    /// Looks for any intact record after a bad one. Costly (a CRC attempt per plausible
    /// offset) but only run once a bad record was found.
    private func firstValidRecord(after badOffset: Int, minimumSequence: UInt64) -> Int? {
        var offset = badOffset + 1
        while offset + WALFormat.recordHeaderSize <= bytes.count {
            if case .record(let record, _) = decodeRecord(at: offset, expected: nil),
               record.sequence >= minimumSequence {
                return offset
            }
            offset += 1
        }
        return nil
    }
}

/// Why the WAL cannot be opened or written.
public enum WALError: Error, Sendable, Equatable, CustomStringConvertible {
    case badHeader(path: String, reason: String)
    case corruptRecord(path: String, offset: Int, reason: String, laterValidOffset: Int)
    case sequenceGap(path: String, expected: UInt64, found: UInt64)
    case tornTailBeforeLaterFile(path: String, offset: Int, reason: String)
    case failed(String)

    public var description: String {
        switch self {
        case let .badHeader(path, reason):
            "WAL file \(path): \(reason)"
        case let .corruptRecord(path, offset, reason, later):
            "WAL file \(path) is corrupt at offset \(offset) (\(reason)) and intact records follow at offset \(later); "
                + "refusing to replay past it so that no later write is silently dropped. "
                + "Move the file aside to start without it (its records from offset \(offset) on are lost)."
        case let .sequenceGap(path, expected, found):
            "WAL file \(path) starts at sequence \(found) but the previous file ended before \(expected): a WAL file is missing"
        case let .tornTailBeforeLaterFile(path, offset, reason):
            "WAL file \(path) ends in an unfinished record at offset \(offset) (\(reason)) but later WAL files exist"
        case let .failed(message):
            message
        }
    }
}
