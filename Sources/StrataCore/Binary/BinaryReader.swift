/// Reads what `BinaryWriter` wrote, bounds-checked: malformed input throws `BinaryReaderError`
/// naming the offset, never traps, so corrupt files give clear errors.
public struct BinaryReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    private mutating func need(_ n: Int, _ what: String) throws(BinaryReaderError) {
        guard n >= 0, n <= end - offset else {
            throw BinaryReaderError(offset: offset, message: "truncated \(what): need \(n) bytes, \(end - offset) left")
        }
    }

    public mutating func u8() throws(BinaryReaderError) -> UInt8 {
        try need(1, "byte")
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u32() throws(BinaryReaderError) -> UInt32 {
        try need(4, "u32")
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    public mutating func u64() throws(BinaryReaderError) -> UInt64 {
        try need(8, "u64")
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    public mutating func i64() throws(BinaryReaderError) -> Int64 { Int64(bitPattern: try u64()) }

    public mutating func f64() throws(BinaryReaderError) -> Double { Double(bitPattern: try u64()) }

    /// LEB128, decoded by the same `VarInt.read` the block codecs use.
    public mutating func varint() throws(BinaryReaderError) -> UInt64 {
        let start = offset
        let result: Result<(UInt64, Int), EncodingError> = bytes.withUnsafeBytes { raw in
            var next = start
            let window = UnsafeRawBufferPointer(rebasing: raw[..<end])
            return Result { () throws(EncodingError) in (try VarInt.read(from: window, at: &next), next) }
        }
        switch result {
        case .success(let (value, next)):
            offset = next
            return value
        case .failure(let error):
            throw BinaryReaderError(offset: start, message: "\(error)")
        }
    }

    public mutating func signedVarint() throws(BinaryReaderError) -> Int64 {
        ZigZag.decode(try varint())
    }

    /// A count or length that must fit the bytes left (each item at least `minItemBytes`),
    /// so a corrupt length cannot make a reader allocate gigabytes.
    public mutating func count(_ what: String, minItemBytes: Int = 1) throws(BinaryReaderError) -> Int {
        let start = offset
        let v = try varint()
        guard v <= UInt64(max(remaining, 0) / max(minItemBytes, 1)) else {
            throw BinaryReaderError(offset: start, message: "\(what) \(v) exceeds the \(remaining) bytes left")
        }
        return Int(v)
    }

    public mutating func string() throws(BinaryReaderError) -> String {
        let length = try count("string length")
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    public mutating func bytes(_ n: Int) throws(BinaryReaderError) -> ArraySlice<UInt8> {
        try need(n, "bytes")
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func skip(_ n: Int) throws(BinaryReaderError) {
        try need(n, "bytes")
        offset += n
    }
}

public struct BinaryReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at offset \(offset)" }
}

extension BinaryReader {
    /// Reads `count` fixed-width values written by `BinaryWriter.raw`. Booleans are checked
    /// to be 0 or 1, since any other byte is not a valid `Bool`.
    mutating func raw<T: BitwiseCopyable>(_ type: T.Type, count: Int) throws(BinaryReaderError) -> [T] {
        let size = MemoryLayout<T>.stride
        guard count >= 0, count <= remaining / max(size, 1) else {
            throw BinaryReaderError(offset: offset, message: "truncated array: need \(count) × \(size) bytes, \(remaining) left")
        }
        let start = offset
        if T.self == Bool.self, bytes[start..<(start + count)].contains(where: { $0 > 1 }) {
            throw BinaryReaderError(offset: start, message: "boolean byte other than 0 or 1")
        }
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * size)]))
            }
            initialized = count
        }
        try skip(count * size)
        return values
    }
}
