/// Number parsing for field values and timestamps, on raw bytes.
///
/// Grammar (what InfluxDB accepts, see docs/line-protocol.md):
///   float    = ["-"] (digits ["." [digits]] | "." digits) [("e" | "E") ["+" | "-"] digits]
///   integer  = ["-"] digits "i"
///   unsigned = digits "u"
/// No "+" sign, no hex, no `inf`/`nan`: InfluxDB rejects them and line protocol cannot carry them.
enum LineProtocolNumbers {
    private static let zero = UInt8(ascii: "0")

    /// Exact powers of ten: every 10^k with k ≤ 22 is representable as a Double.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// `digits` with an optional leading "-", as Int64.
    static func parseInteger(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(LineFailure) -> Int64 {
        var i = start
        let negative = i < end && p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let magnitude = try parseDigits(p, i, end, at: start, overflow: .integerOutOfRange)
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw LineFailure(.integerOutOfRange, at: start) }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw LineFailure(.integerOutOfRange, at: start) }
        return Int64(magnitude)
    }

    static func parseUnsigned(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(LineFailure) -> UInt64 {
        try parseDigits(p, start, end, at: start, overflow: .unsignedOutOfRange)
    }

    /// One or more decimal digits and nothing else.
    @inline(__always)
    private static func parseDigits(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, at column: Int, overflow: LineFailure.Reason
    ) throws(LineFailure) -> UInt64 {
        guard start < end else { throw LineFailure(.invalidNumber, at: column) }
        var value: UInt64 = 0
        var tooBig = false
        for i in start..<end {
            let d = p[i] &- zero
            guard d < 10 else { throw LineFailure(.invalidNumber, at: column) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            tooBig = tooBig || o1 || o2
            value = s
        }
        // Syntax errors win over range errors, so the whole token is checked first.
        if tooBig { throw LineFailure(overflow, at: column) }
        return value
    }

    /// A float field value, rounded exactly as `Double(String)` (strtod) would round it.
    static func parseFloat(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(LineFailure) -> Double {
        var i = start
        let negative = i < end && p[i] == UInt8(ascii: "-")
        if negative { i += 1 }

        // Up to 19 significant digits fit a UInt64 exactly; more go to the slow path.
        var mantissa: UInt64 = 0
        var significant = 0
        var digitCount = 0
        var fractionDigits = 0
        var sawDot = false
        while i < end {
            let c = p[i]
            let d = c &- zero
            if d < 10 {
                digitCount += 1
                if sawDot { fractionDigits += 1 }
                if mantissa != 0 || d != 0 {
                    significant += 1
                    if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(d) }
                }
            } else if c == UInt8(ascii: "."), !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard digitCount > 0 else { throw LineFailure(.invalidNumber, at: start) }

        var exponent = 0
        if i < end {
            guard p[i] | 0x20 == UInt8(ascii: "e") else { throw LineFailure(.invalidNumber, at: start) }
            i += 1
            var expNegative = false
            if i < end, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end else { throw LineFailure(.invalidNumber, at: start) }
            while i < end {
                let d = p[i] &- zero
                guard d < 10 else { throw LineFailure(.invalidNumber, at: start) }
                // Saturate: anything this large is ±inf or 0 anyway, and the slow path decides.
                if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }

        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Classic exact fast path (Clinger): both operands exact, one correctly rounded operation.
        let scale = exponent - fractionDigits
        if significant <= 19, mantissa <= 1 << 53, scale >= -22, scale <= 22 {
            let m = Double(mantissa)
            let value = scale < 0 ? m / exactPowersOfTen[-scale] : m * exactPowersOfTen[scale]
            return negative ? -value : value
        }
        return try slowFloat(p, start, end)
    }

    private static func slowFloat(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(LineFailure) -> Double {
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        // The grammar was checked above, so strtod semantics apply and nil cannot happen.
        guard let value = Double(text), value.isFinite else { throw LineFailure(.floatOutOfRange, at: start) }
        return value
    }

    /// A timestamp: ["-"] digits, in `multiplier` nanoseconds per unit.
    static func parseTimestamp(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, multiplier: Int64
    ) throws(LineFailure) -> Int64 {
        let units: Int64
        do {
            units = try parseInteger(p, start, end)
        } catch {
            let reason: LineFailure.Reason = error.reason == .integerOutOfRange ? .timestampOutOfRange : .invalidTimestamp
            throw LineFailure(reason, at: start)
        }
        let (ns, overflow) = units.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw LineFailure(.timestampOutOfRange, at: start) }
        return ns
    }
}
