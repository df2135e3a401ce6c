// Spec: docs/format/encodings.md §"Integer blocks" (UInt64 columns).

/// UInt64 columns: the integer encodings applied to the bit pattern (wrapping arithmetic
/// makes every value round-trip; values above Int64.max just look negative to the encoder).
public enum UnsignedCodec {
    public static func encode(_ values: UnsafeBufferPointer<UInt64>, into out: inout [UInt8]) {
        values.withMemoryRebound(to: Int64.self) { IntegerCodec.encode($0, into: &out) }
    }

    public static func encode(_ values: [UInt64], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [UInt64]) throws(EncodingError) {
        try BlockLimits.check(count)
        try appendDecoded(&out, count: count, zero: 0) { dst throws(EncodingError) in
            try dst.withMemoryRebound(to: Int64.self) { d throws(EncodingError) in
                try IntegerCodec.decode(bytes, into: d)
            }
        }
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [UInt64]) throws(EncodingError) {
        try withBytes(bytes) { p throws(EncodingError) in try decode(p, count: count, into: &out) }
    }
}
