/// Appends little-endian fixed-width integers, LEB128 varints and length-prefixed strings to
/// a caller's buffer: the primitive of every Strata file format (docs/format/).
public struct BinaryWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var count: Int { bytes.count }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    public mutating func f64(_ value: Double) { u64(value.bitPattern) }

    /// LEB128: 7 bits a byte, low first; at most 10 bytes.
    public mutating func varint(_ value: UInt64) {
        VarInt.append(value, to: &bytes)
    }

    /// Zigzag, then LEB128, so small negative numbers stay small.
    public mutating func signedVarint(_ value: Int64) {
        varint(ZigZag.encode(value))
    }

    /// Varint byte length, then the UTF-8 bytes.
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Overwrites a u32 written earlier (a length or checksum known only later).
    public mutating func patchU32(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

extension BinaryWriter {
    /// Appends the in-memory bytes of an array of fixed-width values. Every platform Swift
    /// targets here is little-endian, so this is the little-endian layout the specs name.
    mutating func raw<T: BitwiseCopyable>(_ values: [T]) {
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}
