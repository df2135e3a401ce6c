// See docs/format/wal.md, "Tombstone payload (type 2)".

/// Encodes a `Tombstone` (a delete resolved to concrete series) as a WAL payload and back.
/// The series are listed in full because the predicate that chose them holds closures and
/// could not be replayed; replay must remove exactly what the acknowledged delete removed.
enum WALTombstoneCodec {
    static let layout: UInt8 = 0
    /// Flags: a time range follows; without it the delete covers all time (series dropped).
    static let hasRange: UInt8 = 1
    /// The delete drops its database's store too (DROP DATABASE, DROP RETENTION POLICY).
    static let dropsStore: UInt8 = 2

    static func encode(_ t: Tombstone) -> [UInt8] {
        var w = BinaryWriter(capacity: 32 + t.keys.reduce(0) { $0 + 16 + $1.description.utf8.count })
        w.u8(layout)
        w.string(t.database)
        if let range = t.range {
            w.u8(hasRange)
            w.i64(range.lowerBound)
            w.i64(range.upperBound)
        } else {
            w.u8(t.dropsStore ? dropsStore : 0)
        }
        w.varint(UInt64(t.keys.count))
        for key in t.keys { w.seriesKey(key) }
        return w.bytes
    }

    /// `sequence` is the record's (it is not repeated in the payload).
    static func decode(_ payload: [UInt8], sequence: UInt64) throws(BinaryReaderError) -> Tombstone {
        var r = BinaryReader(payload)
        let layout = try r.u8()
        guard layout == Self.layout else { throw BinaryReaderError(offset: 0, message: "unknown tombstone layout \(layout)") }
        let database = try r.string()
        let flagsOffset = r.offset
        let flags = try r.u8()
        guard flags & ~(hasRange | dropsStore) == 0, flags != hasRange | dropsStore else {
            throw BinaryReaderError(offset: flagsOffset, message: "unknown tombstone flags \(flags)")
        }
        var range: ClosedRange<Int64>?
        if flags & hasRange != 0 {
            let lower = try r.i64()
            let upper = try r.i64()
            guard lower <= upper else {
                throw BinaryReaderError(offset: flagsOffset + 1, message: "tombstone range \(lower) > \(upper)")
            }
            range = lower...upper
        }
        let count = try r.count("series count", minItemBytes: 2)
        var keys: [SeriesKey] = []
        keys.reserveCapacity(count)
        for _ in 0..<count { keys.append(try r.seriesKey()) }
        guard r.isAtEnd else { throw BinaryReaderError(offset: r.offset, message: "\(r.remaining) trailing bytes after tombstone") }
        return Tombstone(sequence: sequence, database: database, keys: keys, range: range,
                         dropsStore: flags & dropsStore != 0)
    }
}
