// Spec: docs/format/encodings.md §"Integer blocks" (timestamp columns).

/// Timestamp columns (Int64 nanoseconds). Same on-disk encodings as `IntegerCodec`: the
/// constant-interval fast path is `deltaConstant` (first, interval), jittered clocks take
/// delta or delta-of-delta bit-packing / Rice.
public enum TimestampCodec {
    public static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8],
                              effort: EncodingEffort = .smallest) {
        IntegerCodec.encode(values, into: &out, effort: effort)
    }

    public static func encode(_ values: [Int64], into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        IntegerCodec.encode(values, into: &out, effort: effort)
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Int64]) throws(EncodingError) {
        try IntegerCodec.decode(bytes, count: count, into: &out)
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [Int64]) throws(EncodingError) {
        try IntegerCodec.decode(bytes, count: count, into: &out)
    }
}
