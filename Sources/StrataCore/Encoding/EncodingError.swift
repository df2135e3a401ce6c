// Spec: docs/format/encodings.md — errors of the block decoders.

/// Why a column block could not be decoded. Decoders throw these on any malformed input
/// (they are fuzzed with bit flips and truncations) and never trap or read out of bounds.
public enum EncodingError: Error, Sendable, Equatable {
    /// The bytes end before the encoding says they should.
    case truncated(String)
    /// The bytes contradict themselves (bad width, index out of range, LZ4 failure...).
    case corrupt(String)
    /// The first byte is not a tag this version knows for the column type.
    case unknownEncoding(UInt8)
    /// The caller asked for a negative count or more than `BlockLimits.maxValues`.
    case invalidCount(Int)
}

/// Limits shared by every codec (documented in docs/format/encodings.md).
public enum BlockLimits {
    /// Largest `count` a decoder accepts. Segment blocks hold at most 8,192 rows; the
    /// extra headroom lets compaction or tests use bigger blocks while still refusing a
    /// corrupt count that would make a constant block allocate gigabytes.
    public static let maxValues = 1 << 20

    @inline(__always)
    static func check(_ count: Int) throws(EncodingError) {
        guard count >= 0, count <= maxValues else { throw .invalidCount(count) }
    }
}
