extension GoFloat {
    /// Appends `json(x)`'s text to `out` without making a String; false (nothing appended)
    /// for NaN and ±Inf, which have no JSON form.
    ///
    /// Most stored floats are short decimals (`76.52`): for those the digits come from one
    /// multiplication, ~10× faster than deriving them from `description`. A 36,000-value
    /// query spent half its time formatting floats before this.
    public static func appendJSON(_ x: Double, to out: inout [UInt8]) -> Bool {
        guard x.isFinite else { return false }
        if x == 0 {
            // Go keeps the sign of zero: -0.
            if x.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(UInt8(ascii: "0"))
        } else if let (n, k) = shortDecimal(x) {
            appendDecimal(n, scale: k, negative: x < 0, to: &out)
        } else {
            out.append(contentsOf: json(x)!.utf8)
        }
        return true
    }

    /// n and k with |x| == n / 10^k exactly as a double and k as small as can be, when that
    /// decimal is certainly Go's shortest form of x: x in encoding/json's plain range
    /// [1e-6, 1e21) (not zero), and the spacing of
    /// doubles near x at most 1/1000 of 10^-k. Then only one decimal with k places rounds to
    /// x, the product |x|·10^k is within 1/1000 of n (so rounding it finds n), and one
    /// with fewer places would have been found at its own k.
    static func shortDecimal(_ x: Double) -> (n: UInt64, k: Int)? {
        let a = x.magnitude
        guard a >= 1e-6, a < 1e15 else { return nil }
        let ulp = a.ulp
        for k in 0..<decimalPowers.count {
            let scale = decimalPowers[k]
            guard ulp * scale < 1e-3 else { return nil }
            let product = a * scale
            guard product < 2_251_799_813_685_248 else { return nil }  // 2^51: product error ≤ 1/4
            let n = product.rounded(.toNearestOrAwayFromZero)
            if n / scale == a { return (UInt64(n), k) }
        }
        return nil
    }

    /// 10^0 ... 10^18, each exact as a double.
    static let decimalPowers: [Double] = (0...18).map { k in (0..<k).reduce(1.0) { p, _ in p * 10 } }

    /// `n / 10^scale` in plain decimal: `-12.5`, `0.003`, `42`.
    static func appendDecimal(_ n: UInt64, scale: Int, negative: Bool, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var v = n, i = 0
            repeat {
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                i += 1
            } while v > 0
            return i
        }
        if negative { out.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            // buffer holds the digits least significant first.
            if scale >= count {
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "."))
                for _ in 0..<(scale - count) { out.append(UInt8(ascii: "0")) }
                for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
                return
            }
            for i in stride(from: count - 1, through: scale, by: -1) { out.append(buffer[i]) }
            guard scale > 0 else { return }
            out.append(UInt8(ascii: "."))
            for i in stride(from: scale - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    /// Appends an integer's decimal digits without making a String.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        appendDecimal(value.magnitude, scale: 0, negative: value < 0, to: &out)
    }

    public static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        appendDecimal(value, scale: 0, negative: false, to: &out)
    }
}
