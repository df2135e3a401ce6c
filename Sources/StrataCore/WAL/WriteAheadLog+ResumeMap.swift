// See docs/format/wal.md, "Resume maps".

extension WriteAheadLog {
    /// Closed log files all of whose records are at or below `flushedThrough`, oldest first:
    /// the files a resume map may replace.
    func flushedLogFiles(flushedThrough: UInt64) -> [FileInfo] {
        writer.withLock { wr in
            wr.files.indices.compactMap { i -> FileInfo? in
                let info = wr.files[i]
                guard !info.isMap, info.closedAt != nil, i + 1 < wr.files.count,
                      wr.files[i + 1].firstSequence - 1 <= flushedThrough else { return nil }
                return info
            }
        }
    }

    /// Calls `body` with every record of a closed log file in order, holding none of them.
    /// Read a record at a time (a 64 MiB file held whole was the peak of the shared
    /// benchmark's settle). A closed log file is whole; should a record not check out, the
    /// file is read whole after all, so that `WALFileReader` tells a torn tail from
    /// corruption exactly as replay does, and the records already handed over are skipped.
    func forEachRecord(of info: FileInfo, _ body: (WALRecord) throws -> Void) throws {
        let path = FilePath.join(directory, info.name)
        var delivered = 0
        if try streamRecords(path, { record in
            try body(record)
            delivered += 1
        }) { return }
        var skip = delivered
        _ = try WALFileReader(path: path, bytes: try fileSystem.readFile(path)).read(keepRecords: false) { record in
            guard skip == 0 else { skip -= 1; return }
            try body(record)
        }
    }

    /// Hands over the file's records in order, reading each on its own; false as soon as
    /// one does not check out (header, length, checksum, type or sequence), true at a clean
    /// end. See docs/format/wal.md, "Record".
    private func streamRecords(_ path: String, _ body: (WALRecord) throws -> Void) throws -> Bool {
        let file = try fileSystem.openForReading(path)
        guard file.size >= WALFormat.fileHeaderSize else { return false }
        let header = try file.read(at: 0, count: WALFormat.fileHeaderSize)
        guard Array(header[0..<8]) == WALFormat.magic else { return false }
        var h = BinaryReader(header, offset: 8)
        var expected = try h.u64()
        guard try h.u32() == CRC32C.checksum(header[0..<16]) else { return false }
        var offset = WALFormat.fileHeaderSize
        while offset < file.size {
            guard file.size - offset >= WALFormat.recordHeaderSize else { return false }
            var r = BinaryReader(try file.read(at: offset, count: 8))
            let length = Int(try r.u32())
            let crc = try r.u32()
            let end = offset + WALFormat.recordHeaderSize + length
            guard length <= WALFormat.maxPayloadSize, end <= file.size else { return false }
            // Sequence, type and payload: what the record's checksum covers.
            let covered = try file.read(at: offset + 8, count: 9 + length)
            guard CRC32C.checksum(covered) == crc else { return false }
            var c = BinaryReader(covered)
            let sequence = try c.u64()
            guard sequence == expected, let type = WALRecordType(rawValue: try c.u8()) else { return false }
            try body(WALRecord(sequence: sequence, type: type, payload: Array(covered[9...])))
            expected += 1
            offset = end
        }
        return true
    }

    /// Puts `map` in place of the log file `info` describes: the map is written, synced and
    /// renamed into place before the log is removed, so a crash leaves one or both (opening
    /// keeps the map). False, with nothing changed, if retention removed the file meanwhile.
    func replace(_ info: FileInfo, with map: ResumeMap) throws -> Bool {
        let bytes = ResumeMapCodec.encode(map)
        let name = ResumeMapCodec.fileName(firstSequence: info.firstSequence)
        return try maintenance.withLock { _ in
            guard fileInfos.contains(where: { $0.name == info.name }) else { return false }
            try fileSystem.writeFileAtomically(FilePath.join(directory, name), contents: bytes)
            try fileSystem.remove(FilePath.join(directory, info.name))
            try fileSystem.syncDirectory(directory)
            writer.withLock { wr in
                guard let i = wr.files.firstIndex(where: { $0.name == info.name }) else { return }
                wr.files[i].name = name
                wr.files[i].bytes = bytes.count
                wr.files[i].isMap = true
            }
            return true
        }
    }
}
