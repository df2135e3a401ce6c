// Decode (and encode) throughput of each block encoding on seeded, robot-shaped data:
// 8,192-value blocks like the segment writer produces. One benchmark iteration decodes
// one block, so throughput × 8,192 = values/s.
import Benchmark
import StrataCore

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Roughly normal (sum of 4 uniforms), scaled to `sd`.
    mutating func normal(_ sd: Double) -> Double {
        var s = 0.0
        for _ in 0..<4 { s += Double(next() >> 11) * 0x1p-53 }
        return (s - 2) * sd * 1.732
    }
}

let n = 8192

struct Fixture: Sendable {
    let name: String
    let bytes: [UInt8]
    let kind: Kind
    enum Kind: Sendable { case float, integer, boolean }
}

func floatsBlock(_ v: [Double]) -> [UInt8] { var b: [UInt8] = []; FloatCodec.encode(v, into: &b); return b }
func intsBlock(_ v: [Int64]) -> [UInt8] { var b: [UInt8] = []; IntegerCodec.encode(v, into: &b); return b }

func fixtures() -> [Fixture] {
    var rng = SplitMix64(state: 42)
    let t0: Int64 = 1_704_067_200_000_000_000
    // Battery-like: slow drift + reading noise, 2 decimals → decimal + Rice.
    var bat = 80.0
    let battery = (0..<n).map { _ in bat -= 0.006; return ((bat + rng.normal(0.05)) * 100).rounded() / 100 }
    // Temperature-like random walk, 2 decimals; x-like smooth motion, 3 decimals.
    var temp = 36.0
    let temperature = (0..<n).map { _ in temp += rng.normal(0.08); return (temp * 100).rounded() / 100 }
    var x = 50.0, vx = 1.0
    let position = (0..<n).map { _ in vx += rng.normal(0.05); x += vx * 0.1; return (x * 1000).rounded() / 1000 }
    // Uniform deltas pick bit-packing.
    var u = 0.0
    let uniform = (0..<n).map { _ in u += Double(Int64(rng.next() % 2001) - 1000) / 1000; return (u * 1000).rounded() / 1000 }
    // Not decimal (full-precision doubles): Gorilla; random bits: raw.
    var g = 20.0
    let gorilla = (0..<n).map { _ in g += rng.normal(0.01); return g }
    let rawF = (0..<n).map { _ in Double(bitPattern: rng.next() >> 2) }
    let status = (0..<n).map { Int64(($0 / 120) % 2) }
    let jitter = (0..<n).map { t0 + Int64($0) * 1_000_000_000 + Int64(rng.next() % 2_000_000) }
    let regular = (0..<n).map { t0 + Int64($0) * 1_000_000_000 }
    let charging = (0..<n).map { ($0 / 900) % 3 == 0 }
    let flags = (0..<n).map { _ in rng.next() % 2 == 0 }
    var bools: [UInt8] = []
    BooleanCodec.encode(charging, into: &bools)
    var rbools: [UInt8] = []
    BooleanCodec.encode(flags, into: &rbools)
    return [
        Fixture(name: "float decimal+rice battery", bytes: floatsBlock(battery), kind: .float),
        Fixture(name: "float decimal+rice temperature", bytes: floatsBlock(temperature), kind: .float),
        Fixture(name: "float decimal+rice position", bytes: floatsBlock(position), kind: .float),
        Fixture(name: "float decimal+bitpacked", bytes: floatsBlock(uniform), kind: .float),
        Fixture(name: "float gorilla", bytes: floatsBlock(gorilla), kind: .float),
        Fixture(name: "float raw", bytes: floatsBlock(rawF), kind: .float),
        Fixture(name: "float constant", bytes: floatsBlock([Double](repeating: 1.5, count: n)), kind: .float),
        Fixture(name: "timestamp delta-constant", bytes: intsBlock(regular), kind: .integer),
        Fixture(name: "timestamp jittered", bytes: intsBlock(jitter), kind: .integer),
        Fixture(name: "integer status lz4", bytes: intsBlock(status), kind: .integer),
        Fixture(name: "boolean runs", bytes: bools, kind: .boolean),
        Fixture(name: "boolean random", bytes: rbools, kind: .boolean),
    ]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock], scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 100_000
    )
    for f in fixtures() {
        let tag = String(f.bytes[0], radix: 16)
        Benchmark("decode \(f.name) [tag 0x\(tag), \(f.bytes.count) B/\(n) values]") { benchmark in
            switch f.kind {
            case .float:
                var out: [Double] = []
                out.reserveCapacity(n)
                for _ in benchmark.scaledIterations {
                    out.removeAll(keepingCapacity: true)
                    try FloatCodec.decode(f.bytes, count: n, into: &out)
                    blackHole(out)
                }
            case .integer:
                var out: [Int64] = []
                out.reserveCapacity(n)
                for _ in benchmark.scaledIterations {
                    out.removeAll(keepingCapacity: true)
                    try IntegerCodec.decode(f.bytes, count: n, into: &out)
                    blackHole(out)
                }
            case .boolean:
                var out: [Bool] = []
                out.reserveCapacity(n)
                for _ in benchmark.scaledIterations {
                    out.removeAll(keepingCapacity: true)
                    try BooleanCodec.decode(f.bytes, count: n, into: &out)
                    blackHole(out)
                }
            }
        }
    }
    var rng = SplitMix64(state: 7)
    var t = 36.0
    let temps = (0..<n).map { _ in t += rng.normal(0.08); return (t * 100).rounded() / 100 }
    Benchmark("encode float temperature") { benchmark in
        var out: [UInt8] = []
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            FloatCodec.encode(temps, into: &out)
            blackHole(out)
        }
    }
}
