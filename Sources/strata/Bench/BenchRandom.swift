/// SplitMix64 (Steele, Lea and Flood 2014): the workload's only source of randomness, so a
/// seed gives the same bytes on every machine. Normal-ish noise is a sum of uniforms
/// (Irwin–Hall) rather than Box–Muller, which would bring libm's `log` and `cos` and their
/// last-bit differences between platforms into the output.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// Mean 0, standard deviation `sigma`: four uniforms, whose sum has variance 1/3.
    mutating func noise(_ sigma: Double) -> Double {
        let sum = unit() + unit() + unit() + unit()
        return (sum - 2) * 1.7320508075688772 * sigma
    }
}
