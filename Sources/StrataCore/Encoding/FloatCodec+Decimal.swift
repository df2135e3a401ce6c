// Spec: docs/format/encodings.md §"Decimal-scaled floats": e u8 (0...15), then an
// integer block of round(v·10^e); decoding is exactly Double(i) / 10^e.

extension FloatCodec {
    /// 10^e for e in 0...15, all exactly representable (10^22 is the last exact power).
    static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    /// Beyond 2^53 consecutive integers are no longer all doubles; keeping the scaled
    /// values below it keeps Int64(x) and Double(i) exact and the check meaningful.
    static let maxScaled = 9_007_199_254_740_992.0

    /// The decimal block, or nil when no exponent round-trips every value bitwise
    /// (NaN, ±Inf, -0.0, too many digits, subnormals...).
    static func encodeDecimal(_ v: UnsafeBufferPointer<Double>, effort: EncodingEffort = .smallest) -> [UInt8]? {
        var ints = [Int64](repeating: 0, count: v.count)
        for e in 0..<powersOfTen.count {
            let s = powersOfTen[e]
            var ok = true
            for i in 0..<v.count {
                let x = v[i] * s
                guard x.magnitude < maxScaled else { ok = false; break } // also rejects NaN
                // Round half away from zero without libm (the bitwise check below is what
                // guarantees exactness, the rounding mode only has to find the candidate).
                var k = Int64(x)
                let frac = x - Double(k)
                if frac >= 0.5 { k += 1 } else if frac <= -0.5 { k -= 1 }
                if (Double(k) / s).bitPattern != v[i].bitPattern { ok = false; break }
                ints[i] = k
            }
            if ok {
                var body: [UInt8] = [BlockEncoding.decimal.rawValue, UInt8(e)]
                IntegerBlock.encode(ints, into: &body, effort: effort)
                return body
            }
        }
        return nil
    }

    static func decodeDecimal(_ rd: inout ByteReader, into dst: UnsafeMutableBufferPointer<Double>) throws(EncodingError) {
        let e = Int(try rd.u8("decimal exponent"))
        guard e < powersOfTen.count else { throw .corrupt("decimal exponent \(e)") }
        let s = powersOfTen[e]
        // The integers are decoded in place: Int64 and Double have the same stride.
        try dst.withMemoryRebound(to: Int64.self) { ints throws(EncodingError) in
            try IntegerBlock.decode(&rd, into: ints)
        }
        dst.withMemoryRebound(to: Int64.self) { ints in
            for i in 0..<ints.count {
                ints[i] = Int64(bitPattern: (Double(ints[i]) / s).bitPattern)
            }
        }
    }
}
