// Spec: docs/format/encodings.md §"Gorilla XOR" (Pelkonen et al., VLDB 2015, with a
// 6-bit leading-zero field instead of 5 so no XOR needs an extra window).

extension FloatCodec {
    /// Gorilla: first value in 64 bits, then per value the XOR with its predecessor:
    /// '0' = same; '10' = meaningful bits fit the previous window; '11' + 6-bit leading
    /// zeros + 6-bit (length-1) + the meaningful bits.
    static func encodeGorilla(_ v: UnsafeBufferPointer<Double>) -> [UInt8] {
        var bw = BitWriter(capacityBits: v.count * 16)
        var prev = v[0].bitPattern
        bw.write(prev, width: 64)
        var lead = 65, trail = 0 // no window yet
        for i in 1..<v.count {
            let cur = v[i].bitPattern
            let x = cur ^ prev
            prev = cur
            if x == 0 {
                bw.write(0, width: 1)
                continue
            }
            let l = x.leadingZeroBitCount, t = x.trailingZeroBitCount
            if lead <= 64 && l >= lead && t >= trail {
                bw.write(0b01, width: 2) // '1' then '0', LSB-first
                bw.write(x >> UInt64(trail), width: 64 - lead - trail)
            } else {
                lead = l
                trail = t
                let len = 64 - l - t
                bw.write(0b11, width: 2)
                bw.write(UInt64(l), width: 6)
                bw.write(UInt64(len - 1), width: 6)
                bw.write(x >> UInt64(t), width: len)
            }
        }
        var body: [UInt8] = [BlockEncoding.gorilla.rawValue]
        bw.append(to: &body)
        return body
    }

    static func decodeGorilla(_ bytes: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Double>) throws(EncodingError) {
        guard dst.count > 0 else { return }
        var br = BitReader(bytes)
        var prev = br.readWide(64)
        dst[0] = Double(bitPattern: prev)
        var lead = -1, len = 0
        for i in 1..<dst.count {
            let ctl = br.read(2)
            if ctl & 1 == 0 {
                br.skip(-1) // only one control bit was meant
            } else {
                if ctl == 0b11 {
                    let l = Int(br.read(6)), n = Int(br.read(6)) + 1
                    guard l + n <= 64 else { throw .corrupt("gorilla window \(l)+\(n)") }
                    lead = l
                    len = n
                } else if lead < 0 {
                    throw .corrupt("gorilla reuses a window before defining one")
                }
                prev ^= br.readWide(len) << UInt64(64 - lead - len)
            }
            dst[i] = Double(bitPattern: prev)
            // Bounded over-run: the reader yields zeros past the end, so check periodically.
            if i & 255 == 0 { try br.check("gorilla stream") }
        }
        try br.check("gorilla stream")
    }
}
