// Spec: docs/format/encodings.md — the encoding tag, first byte of every block.

/// The first byte of every encoded column block. Raw values are an ON-DISK format:
/// never renumber. The column type (known from the segment) says which tags are valid.
/// Bit 0x80 (`lz4Flag`) marks a block whose payload after the tag is LZ4-compressed.
public enum BlockEncoding: UInt8, Sendable, CaseIterable {
    /// Values stored plainly: 8-byte LE numbers, a bitmap for booleans, length-prefixed strings.
    case raw = 0x00
    /// Every value is the same (bitwise for floats).
    case constant = 0x01
    /// v[i] = first + i·delta exactly (timestamps at a fixed interval).
    case deltaConstant = 0x02
    /// Integers: order-0/1/2 residuals, frame-of-reference bit-packed in miniblocks.
    /// Booleans: one bit per value.
    case bitPacked = 0x03
    /// Integers: order-0/1/2 residuals, zigzag, Rice-coded with escapes in miniblocks.
    case rice = 0x04
    /// Floats: decimal exponent + an integer block of v·10^e.
    case decimal = 0x05
    /// Floats: Gorilla XOR coding.
    case gorilla = 0x06
    /// Strings: distinct strings + an integer block of indices.
    case dictionary = 0x07

    /// Set on the tag byte when the rest of the block is LZ4-compressed.
    public static let lz4Flag: UInt8 = 0x80
}
