// Spec: docs/format/encodings.md §"String blocks".

/// String columns: raw (varint length + UTF-8 bytes per value) or dictionary (distinct
/// strings in first-seen order + an integer block of indices), then LZ4 where it pays.
public enum StringCodec {
    /// Largest string a decoder accepts (the line-protocol field limit is 64 KiB; this
    /// leaves room while refusing a corrupt length that would allocate gigabytes).
    public static let maxStringBytes = 16 << 20

    public static func encode(_ values: [String], into out: inout [UInt8]) {
        var raw: [UInt8] = [BlockEncoding.raw.rawValue]
        for s in values {
            var s = s
            s.withUTF8 { u in
                VarInt.append(UInt64(u.count), to: &raw)
                raw.append(contentsOf: u)
            }
        }
        var body = raw
        var ids: [String: Int64] = [:]
        var dict: [String] = []
        var idx: [Int64] = []
        idx.reserveCapacity(values.count)
        for s in values {
            if let id = ids[s] {
                idx.append(id)
            } else {
                let id = Int64(dict.count)
                ids[s] = id
                dict.append(s)
                idx.append(id)
            }
        }
        // Only worth building when strings repeat; a dictionary of all-distinct strings
        // is the raw block plus an index block.
        if dict.count < values.count {
            var d: [UInt8] = [BlockEncoding.dictionary.rawValue]
            VarInt.append(UInt64(dict.count), to: &d)
            for s in dict {
                var s = s
                s.withUTF8 { u in
                    VarInt.append(UInt64(u.count), to: &d)
                    d.append(contentsOf: u)
                }
            }
            IntegerBlock.encode(idx, into: &d)
            if d.count < body.count { body = d }
        }
        LZ4.appendMaybeCompressed(body, into: &out)
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [String]) throws(EncodingError) {
        try BlockLimits.check(count)
        // Strings have no per-value size bound; LZ4's own 255:1 ratio bounds the payload.
        let decoded = try LZ4.withPayload(bytes, limit: Int(Int32.max)) { tag, payload throws(EncodingError) -> [String] in
            var rd = ByteReader(payload)
            var result: [String] = []
            result.reserveCapacity(count)
            switch BlockEncoding(rawValue: tag) {
            case .raw:
                for _ in 0..<count { result.append(try readString(&rd)) }
            case .dictionary:
                // Each entry takes at least one byte, so the remaining size bounds the count.
                let d = try rd.length("dictionary size", limit: rd.remaining)
                var dict: [String] = []
                dict.reserveCapacity(d)
                for _ in 0..<d { dict.append(try readString(&rd)) }
                var idx = [Int64](repeating: 0, count: count)
                try idx.withUnsafeMutableBufferPointer { p throws(EncodingError) in
                    try IntegerBlock.decode(&rd, into: p)
                }
                for i in idx {
                    guard i >= 0, i < Int64(d) else { throw .corrupt("dictionary index \(i) of \(d)") }
                    result.append(dict[Int(i)])
                }
            default:
                throw .unknownEncoding(tag)
            }
            return result
        }
        out.append(contentsOf: decoded)
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [String]) throws(EncodingError) {
        try withBytes(bytes) { p throws(EncodingError) in try decode(p, count: count, into: &out) }
    }

    private static func readString(_ rd: inout ByteReader) throws(EncodingError) -> String {
        let n = try rd.length("string length", limit: maxStringBytes)
        let b = try rd.take(n, "string bytes")
        return String(decoding: b, as: UTF8.self)
    }
}
