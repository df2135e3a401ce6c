import Crypto

/// The text of a token: `strata_<id>_<secret>` with an 8-hex-digit id and 43 characters of
/// base64url (32 random bytes, no padding). Only `[A-Za-z0-9_-]`, so it is a valid RFC 6455
/// subprotocol token (`bearer.<token>`), a header value and a URL parameter unescaped.
/// docs/auth.md, "Token format".
public enum TokenSecret {
    static let prefix = "strata_"
    /// 4 random bytes: ids are public and only need to be unique within one store, which
    /// `TokenStore.create` checks.
    static let idLength = 8
    /// 32 bytes = 256 bits of secret, the output size of the hash that stores it.
    static let secretBytes = 32
    /// 32 bytes in base64url without padding: ceil(32 × 8 / 6) characters.
    static let secretLength = 43

    /// A fresh token text for `id`. `SystemRandomNumberGenerator` reads the kernel CSPRNG
    /// (getrandom on Linux, arc4random on Darwin).
    static func generate(id: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<secretBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + id + "_" + base64URL(bytes)
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<idLength / 2).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return bytes.map { hex($0) }.joined()
    }

    /// The id inside a well-formed token text, nil for anything else.
    public static func id(of token: String) -> String? {
        let utf8 = Array(token.utf8)
        let idEnd = prefix.utf8.count + idLength
        guard utf8.count == idEnd + 1 + secretLength, token.hasPrefix(prefix), utf8[idEnd] == UInt8(ascii: "_"),
            utf8[prefix.utf8.count..<idEnd].allSatisfy(isLowerHex),
            utf8[(idEnd + 1)...].allSatisfy(isBase64URL)
        else { return nil }
        return String(decoding: utf8[prefix.utf8.count..<idEnd], as: UTF8.self)
    }

    /// `sha256:<hex>` of the token text: what the store keeps instead of the token.
    static func hash(_ token: String) -> String {
        "sha256:" + SHA256.hash(data: Array(token.utf8)).map { hex($0) }.joined()
    }

    /// Compares two stored-form hashes in time that depends only on their lengths, so a
    /// timing measurement does not reveal how much of a guessed hash matched.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    private static func isLowerHex(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
    }

    private static func isBase64URL(_ c: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    /// RFC 4648 §5 without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + 3, bytes.count)]
            var n = 0
            for (k, b) in chunk.enumerated() { n |= Int(b) << (16 - 8 * k) }
            let chars = chunk.count + 1
            for k in 0..<chars { out.append(alphabet[(n >> (18 - 6 * k)) & 63]) }
            i += 3
        }
        return out
    }
}
