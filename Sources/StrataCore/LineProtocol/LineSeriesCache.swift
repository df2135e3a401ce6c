#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers, for one parse call, the measurement and sorted tags decoded from each distinct
/// `measurement,tags` byte run.
///
/// A write body usually repeats a few series many times; a hit skips UTF-8 validation,
/// unescaping, string creation, sorting and the duplicate check, and every point of the series
/// shares one `[Tag]` buffer. Keys are offsets into the body, which outlives the cache.
struct LineSeriesCache {
    struct Entry {
        var hash: UInt64
        var start: Int
        var length: Int
        var measurement: String
        var tags: [Tag]
    }

    /// Past this many distinct series the cache stops growing: high-cardinality bodies gain
    /// little from it and should not pay for a huge table.
    static let maxEntries = 8_192

    private var slots: [Int32] = Array(repeating: -1, count: 64)
    private var entries: [Entry] = []

    /// The index of the entry for these bytes, if there is one.
    func lookup(hash: UInt64, start: Int, length: Int, in body: UnsafePointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            let entry = entries[index]
            if entry.hash == hash, entry.length == length,
               memcmp(body + entry.start, body + start, length) == 0 {
                return index
            }
            slot = (slot + 1) & mask
        }
    }

    subscript(index: Int) -> Entry { entries[index] }

    /// Returns the new entry's index, or nil when the cache is full (the entry is not kept).
    mutating func insert(_ entry: Entry) -> Int? {
        guard entries.count < Self.maxEntries else { return nil }
        if (entries.count + 1) * 2 > slots.count { grow() }
        entries.append(entry)
        place(index: entries.count - 1)
        return entries.count - 1
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for index in entries.indices { place(index: index) }
    }

    private mutating func place(index: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: entries[index].hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    /// A fast non-cryptographic hash of `length` bytes at `start`, eight bytes at a time.
    static func hash(_ body: UnsafePointer<UInt8>, start: Int, length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        var i = start
        let end = start + length
        let raw = UnsafeRawPointer(body)
        while i + 8 <= end {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < end {
            tail |= UInt64(body[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }
}
