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
    func forEachRecord(of info: FileInfo, _ body: (WALRecord) throws -> Void) throws {
        let path = FilePath.join(directory, info.name)
        _ = try WALFileReader(path: path, bytes: try fileSystem.readFile(path)).read(keepRecords: false, onRecord: body)
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
