extension LineScanner {
    /// Starts reading the entry `[lineStart, end)` whose `\n` is at `newline`.
    mutating func beginEntry(lineStart: Int, end: Int, newline: Int, multiline: Bool) {
        entryStart = lineStart
        self.end = end
        terminator = newline
        allowMultiline = multiline
        extraNewlines = 0
    }

    /// The entry's timestamp, after its fields; checks the length of an entry that a string
    /// value carried over a newline.
    mutating func finishEntry(fieldsEnd: Int, lineStart: Int) throws(LineFailure) -> Int64 {
        let timestamp = try parseTimestamp(from: fieldsEnd)
        if extraNewlines > 0, end - lineStart > limits.maxLineBytes {
            throw LineFailure(.lineTooLong(end - lineStart, limit: limits.maxLineBytes), at: lineStart + limits.maxLineBytes)
        }
        return timestamp
    }

    /// `parseFields` into the open row of series `s`. Returns the index after the last
    /// value, or nil when a value's type is not its column's (the row is then partly set:
    /// the caller rolls it back).
    mutating func parseFieldColumns(from pos: Int, into builder: inout ParsedColumnsBuilder, series s: Int)
        throws(LineFailure) -> Int?
    {
        var i = pos
        var index = 0
        var distinct = 0
        var matchesCache = true
        var excessStart = pos
        while true {
            let keyStart = i
            if index == limits.maxFields { excessStart = keyStart }
            let key: String
            if let cached = cachedFieldKey(index: index, at: keyStart) {
                (key, i) = cached
            } else {
                var escaped = false
                i = scanToken(from: i, limit: end, stop1: LPByte.equals, stop2: LPByte.comma, escaped: &escaped)
                let keyEnd = i
                if keyEnd == keyStart { throw LineFailure(.missingFieldKey, at: keyStart) }
                guard i < end, p[i] == LPByte.equals else { throw LineFailure(.invalidFieldFormat, at: i) }
                key = try fieldKey(index: index, start: keyStart, end: keyEnd, escaped: escaped, matchesCache: &matchesCache)
            }
            let value: FieldValue
            (value, i) = try parseFieldValue(at: i + 1)
            switch builder.set(key, value, position: index, series: s) {
            case .added: distinct += 1
            case .replaced: break
            case .typeMismatch: return nil
            }
            index += 1
            guard i < end, p[i] == LPByte.comma else { break }
            i += 1
        }
        // As `parseFields`: a repeated key counts once.
        if distinct > limits.maxFields {
            throw LineFailure(.tooManyFields(distinct, limit: limits.maxFields), at: excessStart)
        }
        return i
    }
}
