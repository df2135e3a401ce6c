import Testing
@testable import StrataCore

/// Corrupted blocks must throw or decode to `count` values — never trap or over-read
/// (run under the address sanitizer to check the latter: swift test --sanitize=address).
@Suite("Encoding fuzz")
struct EncodingFuzzTests {
    static func mutate(_ b: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = b
        switch rng.next() % 4 {
        case 0, 1:
            for _ in 0...(rng.next() % 3) where !b.isEmpty {
                b[Int(rng.next() % UInt64(b.count))] ^= 1 << UInt8(rng.next() % 8)
            }
        case 2:
            b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
        default:
            if !b.isEmpty { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 2 == 0 { b.append(UInt8(truncatingIfNeeded: rng.next())) }
        }
        return b
    }

    static func check<T>(_ block: [UInt8], _ n: Int, _ decode: ([UInt8], Int, inout [T]) throws(EncodingError) -> Void) {
        var out: [T] = []
        do {
            try decode(block, n, &out)
            #expect(out.count == n)
        } catch {
            #expect(out.isEmpty) // a failed decode leaves the output as it was
        }
    }

    @Test func corruptedBlocksNeverCrash() {
        var rng = SplitMix64(seed: 99)
        for round in 0..<1500 {
            let n = round % 150 == 0 ? 8192 : Int(rng.next() % 300)
            var b: [UInt8] = []
            switch round % 5 {
            case 0:
                FloatCodec.encode(Gen.doubles(n, &rng), into: &b)
                Self.check(Self.mutate(b, &rng), n) { x, c, o throws(EncodingError) in try FloatCodec.decode(x, count: c, into: &o) }
            case 1:
                IntegerCodec.encode(Gen.ints(n, &rng), into: &b)
                Self.check(Self.mutate(b, &rng), n) { x, c, o throws(EncodingError) in try IntegerCodec.decode(x, count: c, into: &o) }
            case 2:
                UnsignedCodec.encode(Gen.ints(n, &rng).map { UInt64(bitPattern: $0) }, into: &b)
                Self.check(Self.mutate(b, &rng), n) { x, c, o throws(EncodingError) in try UnsignedCodec.decode(x, count: c, into: &o) }
            case 3:
                BooleanCodec.encode((0..<n).map { ($0 / 40) % 2 == 0 || rng.next() % 9 == 0 }, into: &b)
                Self.check(Self.mutate(b, &rng), n) { x, c, o throws(EncodingError) in try BooleanCodec.decode(x, count: c, into: &o) }
            default:
                StringCodec.encode(Gen.strings(n, &rng), into: &b)
                Self.check(Self.mutate(b, &rng), n) { x, c, o throws(EncodingError) in try StringCodec.decode(x, count: c, into: &o) }
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let b = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let n = Int(rng.next() % 100)
            Self.check(b, n) { x, c, o throws(EncodingError) in try FloatCodec.decode(x, count: c, into: &o) }
            Self.check(b, n) { x, c, o throws(EncodingError) in try IntegerCodec.decode(x, count: c, into: &o) }
            Self.check(b, n) { x, c, o throws(EncodingError) in try StringCodec.decode(x, count: c, into: &o) }
            Self.check(b, n) { x, c, o throws(EncodingError) in try BooleanCodec.decode(x, count: c, into: &o) }
        }
    }
}
