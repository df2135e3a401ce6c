import Foundation
import StrataTestSupport
import Testing
@testable import StrataQuery

/// Expected texts are what Go 1.x prints for `json.Marshal(float64)` and
/// `strconv.FormatFloat(x, 'f', -1, 64)`.
@Suite struct FormatFloatTests {
    static let jsonCases: [(Double, String)] = [
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123456789.123, "123456789.123"),
        (.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-0.0, "-0"),
        (0, "0"),
        (100, "100"),
        (2.5, "2.5"),
        (12, "12"),
        (-1.5, "-1.5"),
        (1.0 / 3, "0.3333333333333333"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-5, "0.00001"),
        (1.5e-7, "1.5e-7"),
        (1.23e-10, "1.23e-10"),
        (-2.5e-8, "-2.5e-8"),
        (0.000001234, "0.000001234"),
        (9007199254740992, "9007199254740992"),
        (1e15, "1000000000000000"),
        (1.2345678901234567e20, "123456789012345670000"),
        (9.999999999999999e20, "999999999999999900000"),
        (-1e21, "-1e+21"),
        (1.5e300, "1.5e+300"),
        (1e100, "1e+100"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (81.5, "81.5"),
        (100.25, "100.25"),
        (-273.15, "-273.15"),
    ]

    @Test(arguments: jsonCases)
    func json(_ value: Double, _ expected: String) {
        #expect(GoFloat.json(value) == expected)
    }

    static let fixedCases: [(Double, String)] = [
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5"),
        (-0.0, "-0"),
        (100, "100"),
        (0.1, "0.1"),
        (1.5e300, "15" + String(repeating: "0", count: 299)),
        (123456789.123, "123456789.123"),
        (-1.25e-3, "-0.00125"),
        (.nan, "NaN"),
        (.infinity, "+Inf"),
        (-.infinity, "-Inf"),
    ]

    @Test(arguments: fixedCases)
    func fixed(_ value: Double, _ expected: String) {
        #expect(GoFloat.fixed(value) == expected)
    }

    @Test(arguments: [(1e21, "1e+21"), (1e-7, "1e-07"), (0.5, "5e-01"), (123.0, "1.23e+02"), (0.0, "0e+00")])
    func exponent(_ value: Double, _ expected: String) {
        #expect(GoFloat.exponent(value) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteHasNoJSONForm(_ value: Double) {
        #expect(GoFloat.json(value) == nil)
    }

    /// The printed text parses back to the same bits, across magnitudes.
    @Test func roundTrips() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(bitPattern: state)
            guard x.isFinite else { continue }
            #expect(Double(GoFloat.json(x)!) == x)
            #expect(Double(GoFloat.fixed(x)) == x)
        }
    }

    /// json() takes a shortcut through Swift's description for common magnitudes; on random
    /// values across and around that band it must equal the digit-by-digit layout (`fixed`
    /// is Go's 'f' form, which is what encoding/json writes between 1e-6 and 1e21).
    @Test func fastPathMatchesFullLayout() {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<20_000 {
            let exponent = Int(next() % 26) - 7
            let mantissa = Double(next() % 1_000_000_000) / 1_000_000
            let x = (next() & 1 == 0 ? 1 : -1) * mantissa * pow(10, Double(exponent))
            guard x.magnitude >= 1e-6 && x.magnitude < 1e21 || x == 0 else { continue }
            #expect(GoFloat.json(x) == GoFloat.fixed(x), "\(x)")
        }
    }

    static func appended(_ x: Double) -> String? {
        var out: [UInt8] = []
        return GoFloat.appendJSON(x, to: &out) ? String(decoding: out, as: UTF8.self) : nil
    }

    @Test(arguments: jsonCases)
    func appendedJSON(_ value: Double, _ expected: String) {
        #expect(Self.appended(value) == expected)
    }

    /// The byte path's short-decimal shortcut against `json`, on the values it is for (short
    /// decimals, as sensors send them), on neighbours one ulp away (which are not short),
    /// on long ones near where the shortcut must give up, and on random bit patterns.
    @Test func appendedJSONMatchesJSON() {
        var rng = SplitMix64(seed: 0xF10A7)
        for _ in 0..<40_000 {
            let digits = Double(rng.next() % 10_000_000_000_000)
            let places = Int(rng.next() % 19)
            let sign: Double = rng.next() & 1 == 0 ? 1 : -1
            let x = sign * digits / pow(10, Double(places))
            for y in [x, x.nextUp, x.nextDown, Double(bitPattern: rng.next())] where y.isFinite {
                #expect(Self.appended(y) == GoFloat.json(y), "\(y)")
            }
        }
        #expect(Self.appended(.nan) == nil && Self.appended(-.infinity) == nil)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, 1_704_067_200_000, .max])
    func appendedIntegers(_ value: Int64) {
        var out: [UInt8] = []
        GoFloat.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }
}
