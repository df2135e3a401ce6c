// Spec: docs/format/encodings.md §"Float blocks".

/// Float64 field columns. Candidates: constant (bitwise), delta-constant, decimal-scaled
/// integers, Gorilla XOR, raw; the smallest wins, then LZ4 where it pays.
public enum FloatCodec {
    public static func encode(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8],
                              effort: EncodingEffort = .smallest) {
        LZ4.appendMaybeCompressed(encodeBody(values, effort: effort), into: &out, effort: effort)
    }

    public static func encode(_ values: [Double], into out: inout [UInt8], effort: EncodingEffort = .smallest) {
        values.withUnsafeBufferPointer { encode($0, into: &out, effort: effort) }
    }

    /// The smallest un-wrapped block (tag + payload).
    static func encodeBody(_ v: UnsafeBufferPointer<Double>, effort: EncodingEffort = .smallest) -> [UInt8] {
        let n = v.count
        var body: [UInt8] = []
        if n == 0 {
            body.append(BlockEncoding.raw.rawValue)
            return body
        }
        let first = v[0].bitPattern
        if v.allSatisfy({ $0.bitPattern == first }) {
            body.append(BlockEncoding.constant.rawValue)
            body.appendLE(first)
            return body
        }
        var best: [UInt8] = []
        if let dec = encodeDecimal(v, effort: effort) { best = dec }
        // A decimal progression (0.5, 0.75, 1.0, ...) is smaller as decimal + integer
        // deltaConstant (~6 bytes); the float form (17 bytes) serves the others.
        if n >= 2, let d = deltaConstant(v), best.isEmpty || best.count > 17 {
            body.append(BlockEncoding.deltaConstant.rawValue)
            body.appendLE(first)
            body.appendLE(d.bitPattern)
            return body
        }
        // Gorilla needs 64 bits + at least 1 bit per further value: skip it when that
        // lower bound cannot beat the decimal block.
        // `.fast` tries it only when there is no decimal form at all.
        if best.isEmpty || (effort == .smallest && best.count > 1 + (64 + n - 1 + 7) / 8) {
            let gorilla = encodeGorilla(v)
            if best.isEmpty || gorilla.count < best.count { best = gorilla }
        }
        if best.count > 1 + 8 * n {
            best = [BlockEncoding.raw.rawValue]
            best.reserveCapacity(1 + 8 * n)
            for x in v { best.appendLE(x.bitPattern) }
        }
        return best
    }

    /// The step d if v[i] == v[0] + Double(i) * d bitwise for every i (finite values only).
    private static func deltaConstant(_ v: UnsafeBufferPointer<Double>) -> Double? {
        let v0 = v[0]
        let d = v[1] - v0
        guard v0.isFinite, d.isFinite else { return nil }
        for i in 0..<v.count where (v0 + Double(i) * d).bitPattern != v[i].bitPattern {
            return nil
        }
        return d
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int, into out: inout [Double]) throws(EncodingError) {
        try BlockLimits.check(count)
        try appendDecoded(&out, count: count, zero: 0) { dst throws(EncodingError) in
            try decode(bytes, into: dst)
        }
    }

    public static func decode(_ bytes: [UInt8], count: Int, into out: inout [Double]) throws(EncodingError) {
        try withBytes(bytes) { p throws(EncodingError) in try decode(p, count: count, into: &out) }
    }

    /// Decodes exactly `dst.count` values into caller memory.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Double>) throws(EncodingError) {
        let n = dst.count
        try BlockLimits.check(n)
        try LZ4.withPayload(bytes, limit: LZ4.limit(count: n)) { tag, payload throws(EncodingError) in
            var rd = ByteReader(payload)
            guard let enc = BlockEncoding(rawValue: tag) else { throw .unknownEncoding(tag) }
            switch enc {
            case .raw:
                let b = try rd.take(8 * n, "raw floats")
                for i in 0..<n {
                    dst[i] = Double(bitPattern: UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
                }
            case .constant:
                dst.update(repeating: Double(bitPattern: try rd.u64("constant")))
            case .deltaConstant:
                let v0 = Double(bitPattern: try rd.u64("first"))
                let d = Double(bitPattern: try rd.u64("delta"))
                for i in 0..<n { dst[i] = v0 + Double(i) * d }
            case .decimal:
                try decodeDecimal(&rd, into: dst)
            case .gorilla:
                try decodeGorilla(rd.rest(), into: dst)
            default:
                throw .unknownEncoding(tag)
            }
        }
    }
}
