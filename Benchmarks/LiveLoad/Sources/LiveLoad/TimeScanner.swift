/// Pulls the first column (the time, integer ns) of every row out of a `data` message
/// without a JSON decoder: at 10,000 messages/s a full decode would be the client's own
/// bottleneck and inflate the latencies it measures.
enum TimeScanner {
    private static let valuesKey = Array(#""values":["#.utf8)

    static func appendTimes(in bytes: UnsafeRawBufferPointer, to out: inout [Int64]) {
        var position = 0
        while let start = find(valuesKey, in: bytes, from: position) {
            position = start + valuesKey.count
            scanRows(bytes, &position, &out)
        }
    }

    static func contains(_ needle: String, in bytes: UnsafeRawBufferPointer) -> Bool {
        find(Array(needle.utf8), in: bytes, from: 0) != nil
    }

    private static func scanRows(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, _ out: inout [Int64]) {
        // Rows hold numbers and nulls only (float fields), so the next `]` ends the row.
        while position < bytes.count, bytes[position] == UInt8(ascii: "[") {
            position += 1
            var value: Int64 = 0
            var negative = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { negative = true; position += 1 }
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                value = value &* 10 &+ Int64(bytes[position] - 48)
                position += 1
            }
            out.append(negative ? -value : value)
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") { position += 1 }
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: ",") { position += 1 }
        }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = from
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == needle[0] {
                var match = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
