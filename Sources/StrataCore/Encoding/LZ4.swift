// Spec: docs/format/encodings.md §"LZ4 wrapping": tag|0x80, varint uncompressed length,
// LZ4 block bytes (LZ4_compress_default / LZ4_decompress_safe, no frame header).
import CLZ4

enum LZ4 {
    /// Bodies smaller than this are never compressed: the varint length and LZ4's token
    /// overhead eat any gain, and it saves a compression attempt on every tiny block.
    static let minBodySize = 32

    /// LZ4 is kept only if it saves at least 1/8 of the block. Each wrapped block costs a
    /// decompression pass plus a temporary buffer on every read (2–3 GB/s measured, i.e.
    /// ~40% of a bit-unpack pass over the same data); below 12.5% saving the disk win does
    /// not pay for that on the scan-heavy query path.
    static let minSavingDivisor = 8

    /// Worst case LZ4 expansion on decode is ~255:1 (one token byte can describe 255 more
    /// literal-less match bytes), so a claimed size above this is corrupt whatever the type.
    static let maxRatio = 255

    /// Appends `body` (tag byte + payload) to `out`, LZ4-wrapped when that pays.
    static func appendMaybeCompressed(_ body: [UInt8], into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        guard effort == .smallest, body.count >= minBodySize else {
            out.append(contentsOf: body)
            return
        }
        let payloadCount = body.count - 1
        let bound = Int(LZ4_compressBound(Int32(payloadCount)))
        var dst = [UInt8](repeating: 0, count: bound)
        let written = body.withUnsafeBufferPointer { src in
            dst.withUnsafeMutableBufferPointer { d in
                src.baseAddress!.withMemoryRebound(to: CChar.self, capacity: body.count) { s in
                    d.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bound) { dp in
                        Int(LZ4_compress_default(s + 1, dp, Int32(payloadCount), Int32(bound)))
                    }
                }
            }
        }
        let wrapped = 1 + VarInt.size(UInt64(payloadCount)) + written
        if written > 0 && wrapped <= body.count - body.count / minSavingDivisor {
            out.append(body[0] | BlockEncoding.lz4Flag)
            VarInt.append(UInt64(payloadCount), to: &out)
            out.append(contentsOf: dst[0..<written])
        } else {
            out.append(contentsOf: body)
        }
    }

    /// Decompresses a wrapped payload (after the tag) whose decoded size must not exceed `limit`.
    static func decompress(_ bytes: UnsafeRawBufferPointer, limit: Int) throws(EncodingError) -> [UInt8] {
        var rd = ByteReader(bytes)
        let size = try rd.length("lz4 uncompressed length", limit: Int(Int32.max))
        let src = rd.rest()
        guard size <= limit, size <= src.count * maxRatio + 16 else {
            throw .corrupt("lz4 uncompressed length \(size) is implausible")
        }
        guard size > 0 else {
            if src.count == 1 && src[0] == 0 { return [] } // LZ4's encoding of an empty input
            throw .corrupt("empty lz4 payload")
        }
        var dst = [UInt8](repeating: 0, count: size)
        let got = dst.withUnsafeMutableBufferPointer { d in
            d.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { dp in
                src.withMemoryRebound(to: CChar.self) { s in
                    Int(LZ4_decompress_safe(s.baseAddress, dp, Int32(s.count), Int32(size)))
                }
            }
        }
        guard got == size else { throw .corrupt("lz4 payload (decoded \(got) of \(size) bytes)") }
        return dst
    }

    /// Splits a block into its tag (without the LZ4 bit) and payload, decompressing if
    /// needed, and runs `body` on them.
    static func withPayload<R>(
        _ bytes: UnsafeRawBufferPointer, limit: Int,
        _ body: (UInt8, UnsafeRawBufferPointer) throws(EncodingError) -> R
    ) throws(EncodingError) -> R {
        guard bytes.count >= 1 else { throw .truncated("block tag") }
        let tag = bytes[0]
        let payload = UnsafeRawBufferPointer(rebasing: bytes[1...])
        if tag & BlockEncoding.lz4Flag == 0 { return try body(tag, payload) }
        let plain = try decompress(payload, limit: limit)
        return try withBytes(plain) { p throws(EncodingError) in try body(tag & ~BlockEncoding.lz4Flag, p) }
    }

    /// Payload bound for fixed-size columns: 9 bytes per value (8 + a header share) plus
    /// 64 KiB for headers and dictionaries — far above any honest encoding.
    static func limit(count: Int) -> Int { count * 9 + 65_536 }
}
