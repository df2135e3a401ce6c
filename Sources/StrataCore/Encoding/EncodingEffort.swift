/// How hard an encoder looks for the smallest form. Either way the bytes follow
/// docs/format/encodings.md and decode the same.
public enum EncodingEffort: Sendable {
    /// Every candidate (Rice codes with their k search, three miniblock sizes, LZ4): for
    /// segments, written once and kept for as long as retention says.
    case smallest
    /// Bit-packing with one miniblock size, no Rice and no LZ4: for head chunks, which live
    /// until the next flush re-encodes their rows. On the robot dataset sealing took 14% of
    /// the server's ingest CPU with `.smallest`, on the WAL thread under the engine lock.
    case fast
}
