// Spec: docs/format/encodings.md — unsigned LEB128, at most 10 bytes.

public enum VarInt {
    /// Appends `v` as LEB128 (7 bits per byte, low group first, high bit = more).
    @inline(__always)
    public static func append(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Bytes `append` would write for `v`.
    @inline(__always)
    public static func size(_ v: UInt64) -> Int {
        let bits = 64 - (v | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Reads one LEB128 value at `offset`, advancing it. Rejects encodings longer than
    /// 10 bytes or whose 10th byte carries more than the one bit a UInt64 has left.
    @inline(__always)
    public static func read(from bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(EncodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while true {
            guard i >= 0, i < bytes.count else { throw .truncated("varint") }
            let b = bytes[i]
            i += 1
            if shift == 63 && b > 1 { throw .corrupt("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        offset = i
        return result
    }
}

/// A bounds-checked cursor over a block's bytes: every read throws instead of over-reading.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    @inline(__always)
    mutating func u8(_ what: String) throws(EncodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    mutating func u64(_ what: String) throws(EncodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(what) }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    mutating func varint(_ what: String) throws(EncodingError) -> UInt64 {
        do { return try VarInt.read(from: bytes, at: &offset) } catch { throw .truncated(what) }
    }

    @inline(__always)
    mutating func zigzag(_ what: String) throws(EncodingError) -> Int64 {
        ZigZag.decode(try varint(what))
    }

    /// A varint that must fit an Int no larger than `limit` (lengths, counts).
    mutating func length(_ what: String, limit: Int) throws(EncodingError) -> Int {
        let v = try varint(what)
        guard v <= UInt64(limit) else { throw .corrupt("\(what) \(v) exceeds \(limit)") }
        return Int(v)
    }

    /// The next `n` bytes as their own buffer (rebased to index 0).
    mutating func take(_ n: Int, _ what: String) throws(EncodingError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw .truncated(what) }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    /// Everything after the cursor.
    mutating func rest() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE(_ v: UInt64) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

/// Runs `body` over an array's bytes, keeping typed throws (Array.withUnsafeBytes rethrows untyped).
@inline(__always)
func withBytes<R>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(EncodingError) -> R) throws(EncodingError) -> R {
    let r: Result<R, EncodingError> = a.withUnsafeBytes { p in
        Result { () throws(EncodingError) -> R in try body(p) }
    }
    return try r.get()
}

/// Appends `count` values decoded by `body` into the tail of `out`; on error `out` is left as it was.
@inline(__always)
func appendDecoded<T>(
    _ out: inout [T], count: Int, zero: T,
    _ body: (UnsafeMutableBufferPointer<T>) throws(EncodingError) -> Void
) throws(EncodingError) {
    let start = out.count
    out.append(contentsOf: repeatElement(zero, count: count))
    let r: Result<Void, EncodingError> = out.withUnsafeMutableBufferPointer { all in
        let tail = UnsafeMutableBufferPointer(rebasing: all[start...])
        return Result { () throws(EncodingError) in try body(tail) }
    }
    if case .failure(let e) = r {
        out.removeSubrange(start...)
        throw e
    }
}
