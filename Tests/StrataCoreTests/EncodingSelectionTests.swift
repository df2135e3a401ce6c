import Testing
@testable import StrataCore

/// Data shaped to select each candidate, asserting the tag the encoder chose.
@Suite("Encoding candidate selection")
struct EncodingSelectionTests {
    static func tag(_ b: [UInt8]) -> BlockEncoding? { BlockEncoding(rawValue: b[0] & ~BlockEncoding.lz4Flag) }

    static func ints(_ v: [Int64]) throws -> [UInt8] {
        var b: [UInt8] = []
        IntegerCodec.encode(v, into: &b)
        var out: [Int64] = []
        try IntegerCodec.decode(b, count: v.count, into: &out)
        #expect(out == v)
        return b
    }

    static func floats(_ v: [Double]) throws -> [UInt8] {
        var b: [UInt8] = []
        FloatCodec.encode(v, into: &b)
        var out: [Double] = []
        try FloatCodec.decode(b, count: v.count, into: &out)
        #expect(out.map(\.bitPattern) == v.map(\.bitPattern))
        return b
    }

    @Test func timestampCandidates() throws {
        let t0: Int64 = 1_704_067_200_000_000_000
        var rng = SplitMix64(seed: 10)
        // Constant interval: 3 varints whatever the count.
        var b: [UInt8] = []
        TimestampCodec.encode((0..<8192).map { t0 + Int64($0) * 1_000_000_000 }, into: &b)
        #expect(Self.tag(b) == .deltaConstant && b.count < 16)
        // Jittered clock: order-1 residuals.
        b = try Self.ints((0..<8192).map { t0 + Int64($0) * 1_000_000_000 + Int64(rng.next() % 1_000_000) })
        #expect([.bitPacked, .rice].contains(Self.tag(b)) && b[1] == 1)
        // Steadily accelerating sampling: second differences are constant → order 2.
        b = try Self.ints((0..<1000).map { t0 + Int64($0) * 1_000_000 + Int64($0 * $0) * 7 })
        #expect(Self.tag(b) == .bitPacked && b[1] == 2 && b.count < 40)
    }

    @Test func integerCandidates() throws {
        var rng = SplitMix64(seed: 11)
        #expect(Self.tag(try Self.ints([Int64](repeating: -5, count: 100))) == .constant)
        #expect(Self.tag(try Self.ints((0..<100).map { _ in Int64(bitPattern: rng.next()) })) == .raw)
        let small = try Self.ints((0..<4096).map { _ in Int64(rng.next() % 16) })
        #expect(Self.tag(small) == .bitPacked && small[1] == 0)
        // Gaussian-like steps with rare big jumps: Rice with escapes beats bit-packing.
        var x: Int64 = 0
        let noisy = try Self.ints((0..<4096).map { i in
            x += Int64(rng.next() % 41) + Int64(rng.next() % 41) - 40
            if i % 500 == 0 { x += 100_000 }
            return x
        })
        #expect(Self.tag(noisy) == .rice && noisy[1] == 1)
        // Int64.min/max extremes survive wrapping deltas.
        _ = try Self.ints([.min, .max, .min, 0, .max, -1])
    }

    /// Rice with every k regime: paired decode (k ≤ 19), single (≤ 48), bounds-checked
    /// reader (> 48), escapes, and odd counts that end mid-miniblock.
    @Test func riceAcrossScales() throws {
        var rng = SplitMix64(seed: 14)
        for shift: Int64 in [0, 6, 12, 25, 40, 52] {
            for n in [3, 33, 129, 1001] {
                var x: Int64 = 0
                let v = (0..<n).map { i in
                    let step = Int64(rng.next() % 65) + Int64(rng.next() % 65) + Int64(rng.next() % 65) - 96
                    x = x &+ (step << shift)
                    if i % 97 == 50 { x = x &+ (Int64(1) << 62) } // escape
                    return x
                }
                let b = try Self.ints(v)
                if n >= 129 { #expect(Self.tag(b) == .rice, "shift \(shift) n \(n)") }
            }
        }
    }

    @Test func floatCandidates() throws {
        var rng = SplitMix64(seed: 12)
        #expect(Self.tag(try Self.floats([Double](repeating: -0.0, count: 50))) == .constant)
        #expect(Self.tag(try Self.floats((0..<500).map { Double.pi + Double($0) * 0x1p-20 })) == .deltaConstant)
        let dec = try Self.floats(Gen.walk(8192, decimals: 2, &rng))
        #expect(Self.tag(dec) == .decimal && dec[1] == 2)
        // Few changing mantissa bits, not decimal: Gorilla.
        let g = try Self.floats((0..<1000).map { _ in Double(bitPattern: 0x4059_0000_0000_0001 ^ ((rng.next() & 0xF) << 30)) })
        #expect(Self.tag(g) == .gorilla)
        #expect(Self.tag(try Self.floats((0..<200).map { _ in Double(bitPattern: rng.next()) })) == .raw)
        // -0.0, NaN and 3+ extra digits disqualify decimal for the block.
        #expect(Self.tag(try Self.floats([1.5, -0.0, 2.5, 1.5, 2.5])) != .decimal)
        #expect(Self.tag(try Self.floats([1.5, .nan, 2.5, 1.5, 2.5])) != .decimal)
        #expect(Self.tag(try Self.floats([1.5, .infinity, 2.5, 1.5, 2.5])) != .decimal)
        #expect(Self.tag(try Self.floats([0.1, 0.2, 0.1 + 0.2])) != .decimal) // 0.30000000000000004
    }

    @Test func booleanAndStringCandidates() throws {
        var b: [UInt8] = []
        BooleanCodec.encode([Bool](repeating: true, count: 1000), into: &b)
        #expect(b == [BlockEncoding.constant.rawValue, 1])
        var rng = SplitMix64(seed: 13)
        b = []
        BooleanCodec.encode((0..<1000).map { _ in rng.next() % 2 == 0 }, into: &b)
        #expect(b[0] == BlockEncoding.bitPacked.rawValue)
        b = []
        let runs = (0..<8192).map { ($0 / 600) % 2 == 0 }
        BooleanCodec.encode(runs, into: &b)
        #expect(b[0] == BlockEncoding.bitPacked.rawValue | BlockEncoding.lz4Flag && b.count < 200)
        var back: [Bool] = []
        try BooleanCodec.decode(b, count: runs.count, into: &back)
        #expect(back == runs)

        let states = (0..<2000).map { ["idle", "moving", "charging", "error"][($0 / 37) % 4] }
        b = []
        StringCodec.encode(states, into: &b)
        #expect(Self.tag(b) == .dictionary)
        let distinct = (0..<50).map { _ in String(rng.next(), radix: 36) }
        b = []
        StringCodec.encode(distinct, into: &b)
        #expect(b[0] == BlockEncoding.raw.rawValue)
        // All distinct but repetitive text: raw + LZ4.
        let ids = (0..<2000).map { "sensor-reading-number-\(100_000 + $0)" }
        b = []
        StringCodec.encode(ids, into: &b)
        #expect(b[0] == BlockEncoding.raw.rawValue | BlockEncoding.lz4Flag)
        var s: [String] = []
        try StringCodec.decode(b, count: ids.count, into: &s)
        #expect(s == ids)
    }

    @Test func lz4LengthIsBounded() throws {
        // A wrapped block claiming a huge uncompressed size is refused before allocating.
        var b: [UInt8] = [BlockEncoding.raw.rawValue | BlockEncoding.lz4Flag]
        VarInt.append(1 << 30, to: &b)
        b += [0x10, 0x41]
        var out: [Int64] = []
        #expect(throws: EncodingError.self) { try IntegerCodec.decode(b, count: 10, into: &out) }
        #expect(out.isEmpty)
        #expect(throws: EncodingError.invalidCount(-1)) { try IntegerCodec.decode(b, count: -1, into: &out) }
    }
}
