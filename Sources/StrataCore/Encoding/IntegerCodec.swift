// Spec: docs/format/encodings.md §"Integer blocks" (Int64 columns).

/// Int64 field columns: constant, delta-constant, bit-packed or Rice-coded residuals
/// (order 0/1/2), raw; then LZ4 where it pays.
public enum IntegerCodec {
    public static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8],
                              effort: EncodingEffort = .smallest) {
        var body: [UInt8] = []
        body.reserveCapacity(16 + values.count)
        IntegerBlock.encode(values, into: &body, effort: effort)
        LZ4.appendMaybeCompressed(body, into: &out, effort: effort)
    }

    public static func encode(_ values: [Int64], into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        values.withUnsafeBufferPointer { encode($0, into: &out, effort: effort) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Int64]) throws(EncodingError) {
        try BlockLimits.check(count)
        try appendDecoded(&out, count: count, zero: 0) { dst throws(EncodingError) in
            try decode(bytes, into: dst)
        }
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [Int64]) throws(EncodingError) {
        try withBytes(bytes) { p throws(EncodingError) in try decode(p, count: count, into: &out) }
    }

    /// Decodes exactly `dst.count` values into caller memory (no allocation when unwrapped).
    public static func decode(_ bytes: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Int64>) throws(EncodingError) {
        try BlockLimits.check(dst.count)
        try LZ4.withPayload(bytes, limit: LZ4.limit(count: dst.count)) { tag, payload throws(EncodingError) in
            var rd = ByteReader(payload)
            try IntegerBlock.decode(tag: tag, &rd, into: dst)
        }
    }
}
