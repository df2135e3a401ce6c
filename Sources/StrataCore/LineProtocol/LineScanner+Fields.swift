#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LineScanner {
    /// Parses `key=value[,key=value...]` from `pos`; returns the index after the last value.
    mutating func parseFields(from pos: Int, into fields: inout [Field]) throws(LineFailure) -> Int {
        var i = pos
        var index = 0
        // True while every key so far is the cached key at its position, i.e. this line's keys
        // are exactly `fieldKeys[0..<index]`.
        var matchesCache = true
        var excessStart = pos
        while true {
            let keyStart = i
            var escaped = false
            i = scanToken(from: i, limit: end, stop1: LPByte.equals, stop2: LPByte.comma, escaped: &escaped)
            let keyEnd = i
            if keyEnd == keyStart { throw LineFailure(.missingFieldKey, at: keyStart) }
            guard i < end, p[i] == LPByte.equals else { throw LineFailure(.invalidFieldFormat, at: i) }
            if index == limits.maxFields { excessStart = keyStart }
            let key = try fieldKey(index: index, start: keyStart, end: keyEnd, escaped: escaped, matchesCache: &matchesCache)
            let value: FieldValue
            (value, i) = try parseFieldValue(at: i + 1)
            fields.append(Field(key, value))
            index += 1
            guard i < end, p[i] == LPByte.comma else { break }
            i += 1
        }
        // A key sequence already known to be duplicate-free needs no check.
        if !(matchesCache && fields.count <= distinctKeyCount) {
            let hadDuplicates = LineScanner.mergeDuplicateKeys(&fields)
            if matchesCache && !hadDuplicates { distinctKeyCount = fields.count }
        }
        if fields.count > limits.maxFields {
            throw LineFailure(.tooManyFields(fields.count, limit: limits.maxFields), at: excessStart)
        }
        return i
    }

    /// Keeps the first position of each key with the last value given for it (InfluxDB keeps
    /// the last value). Returns whether there was any repeated key.
    static func mergeDuplicateKeys(_ fields: inout [Field]) -> Bool {
        // One bit per key hash: repeated keys are rare, so a clear bit skips the search.
        var seen: (UInt64, UInt64) = (0, 0)
        var merged = false
        var k = 0
        while k < fields.count {
            let h = keyHash(fields[k].key)
            let bit: UInt64 = 1 << (h & 63)
            let word = h & 64 == 0 ? seen.0 : seen.1
            if word & bit != 0, let earlier = fields[..<k].firstIndex(where: { bytesEqual($0.key, fields[k].key) }) {
                fields[earlier].value = fields[k].value
                fields.remove(at: k)
                merged = true
                continue
            }
            if h & 64 == 0 { seen.0 |= bit } else { seen.1 |= bit }
            k += 1
        }
        return merged
    }

    private static func keyHash(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { LineSeriesCache.hash($0.baseAddress!, start: 0, length: $0.count) }
    }

    /// Byte equality; `==` on String would also merge canonically equivalent spellings.
    static func bytesEqual(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }

    /// The field key at position `index` of the line, reusing the string of an earlier line
    /// when the bytes match.
    mutating func fieldKey(
        index: Int, start: Int, end keyEnd: Int, escaped: Bool, matchesCache: inout Bool
    ) throws(LineFailure) -> String {
        let length = keyEnd - start
        if escaped || index >= Self.maxCachedFieldKeys {
            matchesCache = false
            return try makeString(start, keyEnd, escaped: escaped, kind: .key)
        }
        if index < fieldKeys.count {
            let cached = fieldKeys[index]
            if cached.length == length, Self.bytesEqual(p + cached.start, p + start, length) { return cached.key }
        }
        let key = try makeString(start, keyEnd, escaped: false, kind: .key)
        if index < fieldKeys.count {
            fieldKeys[index] = (start, length, key)
        } else {
            fieldKeys.append((start, length, key))
        }
        distinctKeyCount = min(distinctKeyCount, index)
        return key
    }

    static let maxCachedFieldKeys = 256

    /// The cached key at position `index` and the index of its `=`, when the bytes at `start`
    /// are that key followed by `=`. Cached keys hold no `,` `=` space or backslash, so such
    /// bytes are exactly the token `scanToken` would find, found with one compare instead of
    /// a loop over the key's bytes.
    @inline(__always)
    func cachedFieldKey(index: Int, at start: Int) -> (key: String, end: Int)? {
        guard index < fieldKeys.count else { return nil }
        let cached = fieldKeys[index]
        let keyEnd = start + cached.length
        guard keyEnd < end, p[keyEnd] == LPByte.equals,
              Self.bytesEqual(p + cached.start, p + start, cached.length) else { return nil }
        return (cached.key, keyEnd)
    }

    @inline(__always)
    static func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var k = 0
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        while k + 8 <= n {
            if ra.loadUnaligned(fromByteOffset: k, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < n {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    // MARK: - Values

    /// Parses the value starting at `pos` (just after `=`); returns it and the index after it.
    mutating func parseFieldValue(at pos: Int) throws(LineFailure) -> (FieldValue, Int) {
        guard pos < end else { throw LineFailure(.missingFieldValue, at: pos) }
        let first = p[pos]
        if first == LPByte.quote { return try parseStringValue(at: pos) }
        var i = pos
        while i < end, p[i] != LPByte.comma, p[i] != LPByte.space { i += 1 }
        if i == pos { throw LineFailure(.missingFieldValue, at: pos) }
        switch first {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return (.boolean(try parseBoolean(pos, i)), i)
        default:
            return (try parseNumber(pos, i), i)
        }
    }

    private func parseNumber(_ start: Int, _ tokenEnd: Int) throws(LineFailure) -> FieldValue {
        switch p[tokenEnd - 1] {
        case UInt8(ascii: "i"):
            return .integer(try LineProtocolNumbers.parseInteger(p, start, tokenEnd - 1))
        case UInt8(ascii: "u"):
            return .unsigned(try LineProtocolNumbers.parseUnsigned(p, start, tokenEnd - 1))
        default:
            return .float(try LineProtocolNumbers.parseFloat(p, start, tokenEnd))
        }
    }

    /// `t T true True TRUE f F false False FALSE`, as InfluxDB.
    private func parseBoolean(_ start: Int, _ tokenEnd: Int) throws(LineFailure) -> Bool {
        // The token packed little-endian with its length in the top byte, so one integer
        // compare tests a whole spelling.
        let length = tokenEnd - start
        var word = UInt64(truncatingIfNeeded: length) << 56
        if length <= 5 {
            for k in 0..<length { word |= UInt64(p[start + k]) << (8 * UInt64(k)) }
        }
        switch word {
        case 0x0100_0000_0000_0074, 0x0100_0000_0000_0054,  // t T
             0x0400_0000_6575_7274, 0x0400_0000_6575_7254, 0x0400_0000_4555_5254:  // true True TRUE
            return true
        case 0x0100_0000_0000_0066, 0x0100_0000_0000_0046,  // f F
             0x0500_0065_736C_6166, 0x0500_0065_736C_6146, 0x0500_0045_534C_4146:  // false False FALSE
            return false
        default:
            throw LineFailure(.invalidBoolean, at: start)
        }
    }

    /// A double-quoted string at `quote`. Inside, `\"` and `\\` are escapes; anything else,
    /// including `,`, `=`, spaces and (unless this is the strict re-parse) newlines, is content.
    private mutating func parseStringValue(at quote: Int) throws(LineFailure) -> (FieldValue, Int) {
        let limit = allowMultiline ? min(count, entryStart + limits.maxLineBytes) : end
        var i = quote + 1
        var escaped = false
        var newlines = 0
        while i < limit {
            let c = p[i]
            if c == LPByte.quote { break }
            if c == LPByte.backslash {
                escaped = true
                if i + 1 < limit, p[i + 1] == LPByte.newline { newlines += 1 }
                i += 2
                continue
            }
            if c == LPByte.newline { newlines += 1 }
            i += 1
        }
        guard i < limit else { throw LineFailure(.unbalancedQuotes, at: quote) }
        let close = i
        i += 1
        if newlines > 0 {
            // Before anything can fail: a failure must see that the entry crossed a newline.
            extraNewlines += newlines
            terminator = findNewline(from: i)
            end = trimCR(i, terminator)
        }
        let value = try makeString(quote + 1, close, escaped: escaped, kind: .string)
        guard i == end || p[i] == LPByte.comma || p[i] == LPByte.space else {
            throw LineFailure(.invalidFieldFormat, at: i)
        }
        return (.string(value), i)
    }
}
