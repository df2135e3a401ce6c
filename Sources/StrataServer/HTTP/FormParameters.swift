/// `application/x-www-form-urlencoded` pairs, from a URL's query or a POST body.
///
/// Hummingbird's `queryParameters` leaves `+` as is, but InfluxDB clients (influxdb-python,
/// curl's `--data-urlencode`, Grafana) encode spaces in `q=` as `+`, so decoding follows the
/// WHATWG urlencoded parser instead: `+` is a space, `%XX` a byte, invalid escapes kept.
struct FormParameters: Sendable {
    private var pairs: [(name: String, value: String)] = []

    init(_ encoded: some Collection<UInt8>) {
        for piece in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = piece.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            pairs.append((name, value))
        }
    }

    init(query: String?) {
        self.init(Array((query ?? "").utf8))
    }

    /// The first value given for `name` (InfluxDB reads the first too).
    subscript(name: String) -> String? {
        pairs.first(where: { $0.name == name })?.value
    }

    private static func decode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"),
                let h = bytes.index(i, offsetBy: 1, limitedBy: bytes.endIndex), h != bytes.endIndex,
                let l = bytes.index(h, offsetBy: 1, limitedBy: bytes.endIndex), l != bytes.endIndex,
                let hi = hexValue(bytes[h]), let lo = hexValue(bytes[l])
            {
                out.append(hi << 4 | lo)
                i = l
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
