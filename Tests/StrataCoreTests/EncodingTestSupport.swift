// Shared helpers of the Encoding*Tests files: data generators (the RNG is in TestSupport.swift).
@testable import StrataCore

enum Gen {
    static let specialDoubles: [Double] = [
        .nan, -.nan, Double(bitPattern: 0x7FF8_0000_DEAD_BEEF), Double(bitPattern: 0x7FF0_0000_0000_0001),
        .infinity, -.infinity, 0.0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
        .leastNormalMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, 1.0, 0.1, 1e300, -1e-300,
    ]

    static func count(_ rng: inout SplitMix64) -> Int {
        switch rng.next() % 6 {
        case 0: return 0
        case 1: return 1
        case 2: return 8192
        case 3: return Int(rng.next() % 8) + 2
        default: return Int(rng.next() % 600) + 2
        }
    }

    /// Rounded decimal random walk (what sensors produce).
    static func walk(_ n: Int, decimals: Int, _ rng: inout SplitMix64) -> [Double] {
        let s = [1.0, 10.0, 100.0, 1000.0][decimals]
        var x = Double(Int64(rng.next() % 20000) - 10000) / 100
        var out: [Double] = []
        for _ in 0..<n {
            x += Double(Int64(rng.next() % 2001) - 1000) / 1000
            out.append((x * s).rounded() / s)
        }
        return out
    }

    static func doubles(_ n: Int, _ rng: inout SplitMix64) -> [Double] {
        switch rng.next() % 5 {
        case 0: return walk(n, decimals: Int(rng.next() % 4), &rng)
        case 1: return (0..<n).map { _ in specialDoubles[Int(rng.next() % UInt64(specialDoubles.count))] }
        case 2: return (0..<n).map { _ in Double(bitPattern: rng.next()) }
        case 3:
            var w = walk(n, decimals: 2, &rng)
            for _ in 0..<(n / 50 + 1) where n > 0 {
                w[Int(rng.next() % UInt64(n))] = specialDoubles[Int(rng.next() % UInt64(specialDoubles.count))]
            }
            return w
        default:
            let c = Double(bitPattern: rng.next())
            return [Double](repeating: c, count: n)
        }
    }

    static func ints(_ n: Int, _ rng: inout SplitMix64) -> [Int64] {
        switch rng.next() % 6 {
        case 0: return (0..<n).map { _ in Int64(bitPattern: rng.next()) }
        case 1: return (0..<n).map { _ in [Int64.min, .max, 0, -1, 1][Int(rng.next() % 5)] }
        case 2:
            var x = Int64(bitPattern: rng.next())
            return (0..<n).map { _ in x &+= Int64(rng.next() % 100) - 50; return x }
        case 3:
            let t0 = Int64(1_704_067_200_000_000_000)
            return (0..<n).map { i in t0 + Int64(i) * 1_000_000_000 + Int64(rng.next() % 5_000_000) }
        case 4: return (0..<n).map { _ in Int64(rng.next() % 4) }
        default:
            let c = Int64(bitPattern: rng.next())
            return [Int64](repeating: c, count: n)
        }
    }

    static func strings(_ n: Int, _ rng: inout SplitMix64) -> [String] {
        let pool = ["idle", "moving", "charging", "error", "", "ünïcødé ✓", String(repeating: "x", count: 300)]
        if rng.next() % 2 == 0 {
            return (0..<n).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
        }
        return (0..<n).map { _ in String(rng.next(), radix: 36) }
    }
}

/// A prefix the encoders must leave alone.
let encodingPrefix: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0xFF]
