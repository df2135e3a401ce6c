/// Float64 text exactly as Go writes it, because InfluxDB clients and tests compare bodies
/// byte for byte: `json` is encoding/json's form, `fixed` is `strconv.FormatFloat(x, 'f', -1, 64)`
/// (InfluxDB's CSV).
///
/// Both start from the shortest digit string that round-trips. Swift's `description` already
/// computes exactly that (shortest, and the closest of the shortest, like Go's Ryū-based
/// `strconv`), so the digits are taken from it and only the layout is Go's.
public enum GoFloat {
    /// encoding/json: plain decimal when 1e-6 <= |x| < 1e21 (or x is ±0), otherwise exponent
    /// form with Go's cleanup of a one-digit negative exponent (`1e-07` → `1e-7`); `1e+21`
    /// keeps its sign and two digits. NaN and ±Inf have no JSON form: nil.
    public static func json(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        let abs = x.magnitude
        // Fast path for the common magnitudes: where Swift's shortest form is plain decimal
        // (no exponent), it has Go's digits and point; only Go drops a trailing ".0".
        if abs >= 1e-4 && abs < 1e15 {
            var text = x.description
            if !text.utf8.contains(UInt8(ascii: "e")) {
                if text.hasSuffix(".0") { text.removeLast(2) }
                return text
            }
        }
        if abs != 0, abs < 1e-6 || abs >= 1e21 {
            var text = exponent(x)
            // Go: "clean up e-09 to e-9".
            let bytes = Array(text.utf8)
            let n = bytes.count
            if n >= 4, bytes[n - 4] == UInt8(ascii: "e"), bytes[n - 3] == UInt8(ascii: "-"), bytes[n - 2] == UInt8(ascii: "0") {
                text = String(decoding: bytes[..<(n - 2)] + [bytes[n - 1]], as: UTF8.self)
            }
            return text
        }
        return fixed(x)
    }

    /// `strconv.FormatFloat(x, 'f', -1, 64)`: never an exponent. Non-finite values print as
    /// Go prints them: `NaN`, `+Inf`, `-Inf`.
    public static func fixed(_ x: Double) -> String {
        if let special = nonFinite(x) { return special }
        let (negative, digits, point) = shortestDigits(x)
        var out = negative ? "-" : ""
        if digits.isEmpty { return out + "0" }
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out += digits + String(repeating: "0", count: point - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: point)
            out += String(digits[..<split]) + "." + String(digits[split...])
        }
        return out
    }

    /// `strconv.FormatFloat(x, 'e', -1, 64)`: `d.ddde±XX`, at least two exponent digits.
    public static func exponent(_ x: Double) -> String {
        if let special = nonFinite(x) { return special }
        let (negative, digits, point) = shortestDigits(x)
        var out = negative ? "-" : ""
        guard let first = digits.first else { return out + "0e+00" }
        out.append(first)
        if digits.count > 1 { out += "." + String(digits.dropFirst()) }
        let e = point - 1
        out += e < 0 ? "e-" : "e+"
        let magnitude = String(e.magnitude)
        if magnitude.count < 2 { out += "0" }
        return out + magnitude
    }

    private static func nonFinite(_ x: Double) -> String? {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        return nil
    }

    /// Sign, significant digits without leading or trailing zeros (empty for zero), and the
    /// decimal point position: the value is `0.<digits> × 10^point`.
    static func shortestDigits(_ x: Double) -> (negative: Bool, digits: String, point: Int) {
        let negative = x.sign == .minus
        let text = x.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var point = 0
        var seenPoint = false
        for c in mantissa {
            if c == "." {
                seenPoint = true
            } else {
                digits.append(c)
                if !seenPoint { point += 1 }
            }
        }
        point += exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return (negative, digits, point)
    }
}
