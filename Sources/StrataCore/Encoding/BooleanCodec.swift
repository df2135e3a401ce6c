// Spec: docs/format/encodings.md §"Boolean blocks".

/// Bool columns: constant (one byte 0/1) or one bit per value (LSB-first), then LZ4
/// where it pays (long runs of equal flags compress into LZ4 matches).
public enum BooleanCodec {
    public static func encode(_ values: UnsafeBufferPointer<Bool>, into out: inout [UInt8]) {
        let n = values.count
        var body: [UInt8] = []
        if n > 0, let f = values.first, values.allSatisfy({ $0 == f }) {
            body = [BlockEncoding.constant.rawValue, f ? 1 : 0]
        } else {
            body = [UInt8](repeating: 0, count: 1 + (n + 7) / 8)
            body[0] = BlockEncoding.bitPacked.rawValue
            for i in 0..<n where values[i] { body[1 + i >> 3] |= 1 << UInt8(i & 7) }
        }
        LZ4.appendMaybeCompressed(body, into: &out)
    }

    public static func encode(_ values: [Bool], into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Bool]) throws(EncodingError) {
        try BlockLimits.check(count)
        try appendDecoded(&out, count: count, zero: false) { dst throws(EncodingError) in
            try LZ4.withPayload(bytes, limit: LZ4.limit(count: count)) { tag, payload throws(EncodingError) in
                var rd = ByteReader(payload)
                guard let enc = BlockEncoding(rawValue: tag) else { throw .unknownEncoding(tag) }
                switch enc {
                case .constant:
                    let b = try rd.u8("constant")
                    guard b <= 1 else { throw .corrupt("boolean byte \(b)") }
                    dst.update(repeating: b == 1)
                case .bitPacked, .raw:
                    let bits = try rd.take((count + 7) / 8, "boolean bitmap")
                    for i in 0..<count { dst[i] = bits[i >> 3] & (1 << UInt8(i & 7)) != 0 }
                default:
                    throw .unknownEncoding(tag)
                }
            }
        }
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [Bool]) throws(EncodingError) {
        try withBytes(bytes) { p throws(EncodingError) in try decode(p, count: count, into: &out) }
    }
}
