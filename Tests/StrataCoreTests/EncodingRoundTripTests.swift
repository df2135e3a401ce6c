import Testing
@testable import StrataCore

@Suite("Encoding round trips")
struct EncodingRoundTripTests {
    /// Encodes after a prefix, checks the prefix, decodes the block (appending after an
    /// existing element) and returns the decoded values.
    static func roundTrip<T>(
        _ values: [T], encode: ([T], inout [UInt8]) -> Void,
        decode: ([UInt8], Int, inout [T]) throws(EncodingError) -> Void, sentinel: T
    ) throws -> [T] {
        var buf = encodingPrefix
        encode(values, &buf)
        #expect(Array(buf.prefix(encodingPrefix.count)) == encodingPrefix)
        let block = Array(buf.dropFirst(encodingPrefix.count))
        var out = [sentinel]
        try decode(block, values.count, &out)
        #expect(out.count == values.count + 1)
        return Array(out.dropFirst())
    }

    @Test func floats() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<120 {
            let v = Gen.doubles(Gen.count(&rng), &rng)
            let got = try Self.roundTrip(v, encode: { FloatCodec.encode($0, into: &$1) },
                                         decode: { b, n, o throws(EncodingError) in try FloatCodec.decode(b, count: n, into: &o) }, sentinel: 42.0)
            #expect(got.map(\.bitPattern) == v.map(\.bitPattern))
        }
    }

    @Test func specialFloatsEachAlone() throws {
        for s in Gen.specialDoubles {
            for v in [[s], [s, s, s], [1.5, s, 2.25], [s, 0.1, 0.2, 0.3]] {
                var buf: [UInt8] = []
                FloatCodec.encode(v, into: &buf)
                var out: [Double] = []
                try FloatCodec.decode(buf, count: v.count, into: &out)
                #expect(out.map(\.bitPattern) == v.map(\.bitPattern))
            }
        }
    }

    @Test func integersTimestampsUnsigned() throws {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<60 {
            let v = Gen.ints(Gen.count(&rng), &rng)
            let a = try Self.roundTrip(v, encode: { IntegerCodec.encode($0, into: &$1) },
                                       decode: { b, n, o throws(EncodingError) in try IntegerCodec.decode(b, count: n, into: &o) }, sentinel: 7)
            #expect(a == v)
            let t = try Self.roundTrip(v, encode: { TimestampCodec.encode($0, into: &$1) },
                                       decode: { b, n, o throws(EncodingError) in try TimestampCodec.decode(b, count: n, into: &o) }, sentinel: 7)
            #expect(t == v)
            let u = v.map { UInt64(bitPattern: $0) }
            let ug = try Self.roundTrip(u, encode: { UnsignedCodec.encode($0, into: &$1) },
                                        decode: { b, n, o throws(EncodingError) in try UnsignedCodec.decode(b, count: n, into: &o) }, sentinel: 7)
            #expect(ug == u)
        }
        let edge: [UInt64] = [.max, 0, .max, 1, .max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1]
        var buf: [UInt8] = []
        UnsignedCodec.encode(edge, into: &buf)
        var out: [UInt64] = []
        try UnsignedCodec.decode(buf, count: edge.count, into: &out)
        #expect(out == edge)
    }

    @Test func booleans() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let n = Gen.count(&rng)
            let mode = rng.next() % 3
            let v: [Bool] = (0..<n).map { i in mode == 0 ? true : mode == 1 ? rng.next() % 2 == 0 : (i / 500) % 2 == 0 }
            let got = try Self.roundTrip(v, encode: { BooleanCodec.encode($0, into: &$1) },
                                         decode: { b, n, o throws(EncodingError) in try BooleanCodec.decode(b, count: n, into: &o) }, sentinel: true)
            #expect(got == v)
        }
    }

    @Test func strings() throws {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<100 {
            let v = Gen.strings(Gen.count(&rng) % 2000, &rng)
            let got = try Self.roundTrip(v, encode: { StringCodec.encode($0, into: &$1) },
                                         decode: { b, n, o throws(EncodingError) in try StringCodec.decode(b, count: n, into: &o) }, sentinel: "s")
            #expect(got == v)
        }
    }

    @Test func bitPackingAllWidths() throws {
        var rng = SplitMix64(seed: 5)
        for width in 0...64 {
            for n in [0, 1, 7, 64, 133] {
                let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
                let v = (0..<n).map { _ in rng.next() & mask }
                var buf = encodingPrefix
                v.withUnsafeBufferPointer { BitPacking.pack($0, width: width, into: &buf) }
                #expect(buf.count == encodingPrefix.count + BitPacking.byteCount(count: n, width: width))
                var out = [UInt64](repeating: 0, count: n)
                try buf.dropFirst(encodingPrefix.count).withUnsafeBytes { raw in
                    try out.withUnsafeMutableBufferPointer { o in try BitPacking.unpack(raw, width: width, into: o) }
                }
                #expect(out == v)
            }
        }
    }

    @Test func varIntAndZigZag() throws {
        let vals: [UInt64] = [0, 1, 127, 128, 300, 1 << 35, .max - 1, .max]
        var buf: [UInt8] = []
        for v in vals { VarInt.append(v, to: &buf) }
        #expect(buf.count == vals.reduce(0) { $0 + VarInt.size($1) })
        try buf.withUnsafeBytes { raw throws in
            var at = 0
            for v in vals {
                let got = try VarInt.read(from: raw, at: &at)
                #expect(got == v)
            }
            #expect(at == raw.count)
        }
        for v: Int64 in [0, -1, 1, .min, .max, 12345, -98765] { #expect(ZigZag.decode(ZigZag.encode(v)) == v) }
        #expect(ZigZag.encode(-1) == 1 && ZigZag.encode(1) == 2)
        // An 11-byte or overflowing varint is corrupt, not a crash.
        let bad: [UInt8] = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        bad.withUnsafeBytes { raw in
            var at = 0
            #expect(throws: EncodingError.self) { try VarInt.read(from: raw, at: &at) }
        }
    }
}
