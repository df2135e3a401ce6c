import Testing
@testable import StrataCore

@Suite struct CRC32CTests {
    /// Check values from RFC 3720 (iSCSI), Appendix B.4, and the common "123456789" vector.
    @Test(arguments: [
        ("123456789", UInt32(0xE306_9283)),
        ("", UInt32(0)),
        ("a", UInt32(0xC1D0_4330)),
    ])
    func knownVectors(input: String, expected: UInt32) {
        #expect(CRC32C.checksum(Array(input.utf8)) == expected)
    }

    @Test func thirtyTwoZeroBytes() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func slicedAndBytewiseAgree() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<1_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for cut in [0, 1, 7, 8, 9, 500, 999] {
            let whole = CRC32C.checksum(bytes)
            let split = CRC32C.checksum(bytes[cut...], seed: CRC32C.checksum(bytes[..<cut]))
            #expect(whole == split, "split at \(cut)")
        }
    }
}
