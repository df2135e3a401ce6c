extension LineScanner {
    /// Which backslash escapes a token honours; after any other byte a backslash is literal.
    enum TokenKind {
        /// `\,` and `\ `.
        case measurement
        /// Tag keys, tag values, field keys: `\,`, `\=` and `\ `.
        case key
        /// String field values: `\"` and `\\`.
        case string

        @inline(__always)
        func isEscapable(_ c: UInt8) -> Bool {
            switch self {
            case .measurement: c == LPByte.comma || c == LPByte.space
            case .key: c == LPByte.comma || c == LPByte.equals || c == LPByte.space
            case .string: c == LPByte.quote || c == LPByte.backslash
            }
        }
    }

    /// The string for bytes `[start, end)`: validated as UTF-8 (an error names the first bad
    /// byte) and unescaped only when the scan saw a backslash.
    func makeString(_ start: Int, _ end: Int, escaped: Bool, kind: TokenKind) throws(LineFailure) -> String {
        let raw = UnsafeBufferPointer(start: p + start, count: end - start)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw LineFailure(.invalidUTF8, at: start + (Self.firstInvalidUTF8(raw) ?? 0))
        }
        return escaped ? unescape(raw, kind: kind) : string
    }

    /// Escapes are pairs: a backslash always consumes the byte after it, which matches how the
    /// token's end was found; the backslash is dropped only before an escapable byte.
    private func unescape(_ raw: UnsafeBufferPointer<UInt8>, kind: TokenKind) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { out in
            var n = 0
            var i = 0
            while i < raw.count {
                let c = raw[i]
                if c == LPByte.backslash, i + 1 < raw.count {
                    let next = raw[i + 1]
                    if !kind.isEscapable(next) {
                        out[n] = c
                        n += 1
                    }
                    out[n] = next
                    n += 1
                    i += 2
                } else {
                    out[n] = c
                    n += 1
                    i += 1
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: out[..<n]), as: UTF8.self)
        }
    }

    /// Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF), or nil if all is well-formed.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            k < n && bytes[k] >= low && bytes[k] <= high
        }
        while i < n {
            let b = bytes[i]
            switch b {
            case 0x00...0x7F:
                i += 1
            case 0xC2...0xDF:
                guard continuation(i + 1) else { return i }
                i += 2
            case 0xE0...0xEF:
                let low: UInt8 = b == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = b == 0xED ? 0x9F : 0xBF
                guard continuation(i + 1, low, high), continuation(i + 2) else { return i }
                i += 3
            case 0xF0...0xF4:
                let low: UInt8 = b == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = b == 0xF4 ? 0x8F : 0xBF
                guard continuation(i + 1, low, high), continuation(i + 2), continuation(i + 3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
