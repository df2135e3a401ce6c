/// The sink of `LineProtocolParser.parseColumns`: values go straight into per-series
/// columns, with no `Point` or `[Field]` per line.
struct ParsedColumnsBuilder: LineSink {
    private(set) var groups: [SeriesColumnsBuilder] = []
    /// Group per series-cache entry (-1: none yet). Two spellings of one series (tags in
    /// another order) are two entries that share a group.
    private var groupOfEntry: [Int32] = []
    private var groupOfKey: [SeriesKey: Int] = [:]
    private var mixedTypeLines: [ParsedColumns.LinePoint] = []
    /// Lines the body is expected to hold, from its first line's size.
    private var expectedLines = 0
    private var errors: [LineProtocolError] = []

    mutating func take(_ scanner: inout LineScanner, lineStart: Int, start: Int, end: Int, newline: Int, line: Int)
        throws(LineFailure)
    {
        scanner.beginEntry(lineStart: lineStart, end: end, newline: newline, multiline: true)
        let series = try scanner.parseSeries(from: start)
        let g = group(series)
        let columnsBefore = groups[g].columnCount
        do throws(LineFailure) {
            let fieldsStart = scanner.skipBlanks(series.end)
            guard fieldsStart < scanner.end else { throw LineFailure(.missingFields, at: fieldsStart) }
            guard let fieldsEnd = try scanner.parseFieldColumns(from: fieldsStart, into: &groups[g]) else {
                // A field of another type than its column's: the line stays a point.
                groups[g].rollBack(columnCount: columnsBefore)
                let point = try scanner.parseEntry(lineStart: lineStart, start: start, end: end, newline: newline, multiline: true)
                mixedTypeLines.append(.init(point: point, line: line))
                return
            }
            let timestamp = try scanner.finishEntry(fieldsEnd: fieldsEnd, lineStart: lineStart)
            groups[g].finishRow(timestamp: timestamp, line: line)
            if expectedLines == 0 { expectedLines = scanner.expectedLines(firstLineBytes: scanner.terminator + 1 - lineStart) }
            if groups[g].rowCount == 2 { reserveRows(g) }
        } catch {
            groups[g].rollBack(columnCount: columnsBefore)
            throw error
        }
    }

    mutating func fail(_ error: LineProtocolError) {
        errors.append(error)
    }

    /// At a series' second row, room for its share of the body's lines: bodies usually
    /// cycle through their series, so by then most of them have been seen. A quarter more,
    /// since shares are uneven; a series that outgrows it regrows as arrays do.
    private mutating func reserveRows(_ g: Int) {
        let share = expectedLines / groups.count
        guard share > 2 else { return }
        groups[g].reserve(rows: share + share / 4)
    }

    private mutating func group(_ series: LineScanner.ParsedSeries) -> Int {
        if let entry = series.entry, entry < groupOfEntry.count, groupOfEntry[entry] >= 0 {
            return Int(groupOfEntry[entry])
        }
        var key = SeriesKey(measurement: series.measurement, tags: [])
        key.tags = series.tags  // sorted and unique already
        let g: Int
        if let known = groupOfKey[key] {
            g = known
        } else {
            g = groups.count
            groups.append(SeriesColumnsBuilder(key: key))
            groupOfKey[key] = g
        }
        if let entry = series.entry {
            if entry >= groupOfEntry.count {
                groupOfEntry.append(contentsOf: repeatElement(-1, count: entry + 1 - groupOfEntry.count))
            }
            groupOfEntry[entry] = Int32(g)
        }
        return g
    }

    func finish() -> ParsedColumns {
        var out = ParsedColumns()
        for group in groups where group.rowCount > 0 {
            out.series.append(group.rows)
            out.lines.append(group.lines)
        }
        out.mixedTypeLines = mixedTypeLines
        out.errors = errors
        return out
    }
}

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

    /// `parseFields` into a series' open row. Returns the index after the last value, or
    /// nil when a value's type is not its column's (the row is then partly set: the caller
    /// rolls it back).
    mutating func parseFieldColumns(from pos: Int, into group: inout SeriesColumnsBuilder) throws(LineFailure) -> Int? {
        var i = pos
        var index = 0
        var distinct = 0
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
            switch group.set(key, value, position: index) {
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
