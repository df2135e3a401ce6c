// Spec: docs/format/encodings.md — zigzag maps small signed numbers to small unsigned ones.

public enum ZigZag {
    @inline(__always)
    public static func encode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v &<< 1) ^ (v >> 63))
    }

    @inline(__always)
    public static func decode(_ u: UInt64) -> Int64 {
        Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
