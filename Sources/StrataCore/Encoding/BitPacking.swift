// Spec: docs/format/encodings.md — bit streams are LSB-first: value bit 0 goes to the
// lowest free bit of the current byte; bytes fill in order (little-endian words).

/// Fixed-width packing of UInt64 values (width 0...64).
public enum BitPacking {
    /// Bytes needed for `count` values of `width` bits.
    @inline(__always)
    public static func byteCount(count: Int, width: Int) -> Int {
        (count * width + 7) >> 3
    }

    /// Bits needed to hold `v` (0 for 0).
    @inline(__always)
    public static func width(of v: UInt64) -> Int { 64 - v.leadingZeroBitCount }

    /// Appends the low `width` bits of each value, LSB-first, `byteCount` bytes in all.
    public static func pack(_ values: UnsafeBufferPointer<UInt64>, width: Int, into out: inout [UInt8]) {
        precondition(width >= 0 && width <= 64)
        let n = byteCount(count: values.count, width: width)
        guard n > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: n))
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
        out.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + start
            var acc: UInt64 = 0
            var used = 0 // bits in acc
            var pos = 0
            for v in values {
                let v = v & mask
                acc |= v << UInt64(used) // Swift's << yields 0 when shifting by 64
                used += width
                if used >= 64 {
                    p.storeBytes(of: acc.littleEndian, toByteOffset: pos, as: UInt64.self)
                    pos += 8
                    used -= 64
                    acc = used == 0 ? 0 : v >> UInt64(width - used)
                }
            }
            var tail = acc
            while used > 0 {
                p.storeBytes(of: UInt8(truncatingIfNeeded: tail), toByteOffset: pos, as: UInt8.self)
                pos += 1
                tail >>= 8
                used -= 8
            }
        }
    }

    /// Unpacks `out.count` values of `width` bits from the start of `bytes`, which must hold
    /// at least `byteCount(count:width:)` bytes (else `truncated`).
    public static func unpack(
        _ bytes: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableBufferPointer<UInt64>
    ) throws(EncodingError) {
        guard width >= 0 && width <= 64 else { throw .corrupt("bit width \(width)") }
        let count = out.count
        guard bytes.count >= byteCount(count: count, width: width) else { throw .truncated("bit-packed values") }
        guard count > 0 else { return }
        if width == 0 {
            out.update(repeating: 0)
            return
        }
        let base = bytes.baseAddress!
        let n = bytes.count
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
        let o = out.baseAddress!
        var bit = 0
        var i = 0
        // Fast loop over the values whose 9-byte window lies inside the buffer: one
        // unaligned load per value (plus one byte when width > 56 straddles it).
        let fast = n >= 9 ? Swift.min(count, ((n - 9) * 8) / width) : 0
        if width <= 56 {
            while i < fast {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                o[i] = (w &>> UInt64(bit & 7)) & mask
                bit &+= width
                i &+= 1
            }
        } else {
            while i < fast {
                let byte = bit &>> 3
                let sh = UInt64(bit & 7)
                var w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) &>> sh
                if sh > 0 {
                    w |= UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self)) &<< (64 &- sh)
                }
                o[i] = w & mask
                bit &+= width
                i &+= 1
            }
        }
        // Tail: assemble from the bytes that exist (validated above to cover every value).
        while i < count {
            var w: UInt64 = 0
            let byte = bit >> 3
            let sh = bit & 7
            var k = 0
            while k < 9 && byte + k < n {
                let b = UInt64(base.load(fromByteOffset: byte + k, as: UInt8.self))
                let s = k * 8 - sh
                if s >= 0 { w |= b << UInt64(s) } else { w |= b >> UInt64(-s) }
                k += 1
            }
            o[i] = w & mask
            bit += width
            i += 1
        }
    }
}

/// Accumulates a bit stream (LSB-first) into 64-bit words.
struct BitWriter {
    private(set) var words: [UInt64] = []
    private var acc: UInt64 = 0
    private var used = 0
    private(set) var bitCount = 0

    init(capacityBits: Int = 0) { words.reserveCapacity(capacityBits / 64 + 1) }

    /// Writes the low `width` (0...64) bits of `v`.
    @inline(__always)
    mutating func write(_ v: UInt64, width: Int) {
        guard width > 0 else { return }
        let v = width == 64 ? v : v & ((1 << UInt64(width)) &- 1)
        acc |= v << UInt64(used)
        used += width
        bitCount += width
        if used >= 64 {
            words.append(acc)
            used -= 64
            acc = used == 0 ? 0 : v >> UInt64(width - used)
        }
    }

    /// `n` one-bits (n ≤ 64).
    @inline(__always)
    mutating func ones(_ n: Int) {
        write(n == 64 ? ~0 : (1 << UInt64(n)) &- 1, width: n)
    }

    /// Appends the stream's ceil(bitCount/8) bytes.
    func append(to out: inout [UInt8]) {
        let n = (bitCount + 7) >> 3
        var all = words
        if used > 0 { all.append(acc) }
        all.withUnsafeBytes { raw in
            if n > 0 {
                // Words are stored little-endian on the supported (LE) targets.
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<n]))
            }
        }
    }
}

/// Reads an LSB-first bit stream; past the end it reads zeros, and `check()` reports
/// whether more bits were consumed than exist, so a loop bounded by a count never
/// over-reads memory and a truncated stream is still detected.
struct BitReader {
    let base: UnsafeRawPointer?
    let byteCount: Int
    var bit = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress
        byteCount = bytes.count
    }

    var totalBits: Int { byteCount * 8 }

    /// The next 57+ bits without consuming them (bits past the end read as 0).
    @inline(__always)
    func peek() -> UInt64 {
        let byte = bit >> 3
        let sh = UInt64(bit & 7)
        guard let base else { return 0 }
        if byte + 8 <= byteCount {
            return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> sh
        }
        var w: UInt64 = 0
        var k = 0
        while k < 8 && byte + k < byteCount {
            w |= UInt64(base.load(fromByteOffset: byte + k, as: UInt8.self)) << UInt64(k * 8)
            k += 1
        }
        return w >> sh
    }

    @inline(__always)
    mutating func skip(_ n: Int) { bit += n }

    /// Reads `width` (0...56) bits.
    @inline(__always)
    mutating func read(_ width: Int) -> UInt64 {
        let v = width == 0 ? 0 : peek() & ((1 << UInt64(width)) &- 1)
        bit += width
        return v
    }

    /// Reads `width` (0...64) bits.
    @inline(__always)
    mutating func readWide(_ width: Int) -> UInt64 {
        if width <= 56 { return read(width) }
        let lo = read(32)
        return lo | (read(width - 32) << 32)
    }

    func check(_ what: String) throws(EncodingError) {
        if bit > totalBits { throw .truncated(what) }
    }
}
