#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes with a meaning in line protocol.
enum LPByte {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let hash = UInt8(ascii: "#")
}

/// The state of one `LineProtocolParser.parse` call: a cursor over the body plus caches that
/// only make sense for this body (they point into it).
///
/// Offsets are absolute indexes into the body. While parsing one entry, `end` is where its
/// content stops (before `\r\n`/`\n`) and `terminator` is the index of its `\n` (or `count`);
/// both move forward when a quoted string value runs over a newline.
struct LineScanner {
    let p: UnsafePointer<UInt8>
    let count: Int
    let multiplier: Int64
    let limits: LineProtocolLimits
    let defaultTimestamp: Int64

    var series = LineSeriesCache()
    /// Field keys by position in the line, from earlier lines: bodies tend to repeat the same
    /// keys in the same order, and a byte compare is cheaper than building the string again.
    var fieldKeys: [(start: Int, length: Int, key: String)] = []
    var lastFieldCount = 4
    /// `fieldKeys[0..<distinctKeyCount]` are known to be pairwise different, so a line whose
    /// keys are exactly that prefix has no repeated key.
    var distinctKeyCount = 0

    var entryStart = 0
    var end = 0
    var terminator = 0
    var allowMultiline = true
    /// Newlines swallowed by string values of the current entry.
    var extraNewlines = 0

    init(body: UnsafePointer<UInt8>, count: Int, multiplier: Int64, limits: LineProtocolLimits, defaultTimestamp: Int64) {
        self.p = body
        self.count = count
        self.multiplier = multiplier
        self.limits = limits
        self.defaultTimestamp = defaultTimestamp
    }

    /// Parses every entry of the body into `sink`; a bad line goes to `sink.fail` and never
    /// stops the rest.
    mutating func run<Sink: LineSink>(into sink: inout Sink) {
        var pos = 0
        var line = 1
        while pos < count {
            let newline = findNewline(from: pos)
            let contentEnd = trimCR(pos, newline)
            var start = pos
            while start < contentEnd, p[start] == LPByte.space || p[start] == LPByte.tab { start += 1 }

            if start == contentEnd || p[start] == LPByte.hash {
                pos = newline + 1
                line += 1
                continue
            }
            if contentEnd - pos > limits.maxLineBytes {
                let failure = LineFailure(
                    .lineTooLong(contentEnd - pos, limit: limits.maxLineBytes), at: pos + limits.maxLineBytes)
                sink.fail(error(failure, line: line, lineStart: pos, lineEnd: contentEnd))
                pos = newline + 1
                line += 1
                continue
            }

            do throws(LineFailure) {
                try sink.take(&self, lineStart: pos, start: start, end: contentEnd, newline: newline, line: line)
                pos = terminator + 1
                line += 1 + extraNewlines
            } catch {
                let failure = extraNewlines == 0
                    ? error : strictFailure(lineStart: pos, start: start, end: contentEnd, newline: newline, fallback: error)
                sink.fail(self.error(failure, line: line, lineStart: pos, lineEnd: contentEnd))
                pos = newline + 1
                line += 1
            }
        }
    }

    /// Output rows to reserve, from the first line's size, so that big bodies do not regrow
    /// their arrays many times.
    func expectedLines(firstLineBytes: Int) -> Int {
        min(count / max(firstLineBytes, 16) + 1, 1 << 20)
    }

    /// An entry whose string value ran over a newline and then failed is judged as its first
    /// physical line alone, and the lines after it are parsed on their own. Otherwise one stray
    /// quote would swallow good lines up to the next quote in the body.
    private mutating func strictFailure(lineStart: Int, start: Int, end: Int, newline: Int, fallback: LineFailure) -> LineFailure {
        do throws(LineFailure) {
            _ = try parseEntry(lineStart: lineStart, start: start, end: end, newline: newline, multiline: false)
            // Cannot happen (the string that crossed the newline is unterminated on its own
            // line), but stay inside the line if it ever does.
            return LineFailure(fallback.reason, at: min(fallback.offset, end))
        } catch {
            return error
        }
    }

    private func error(_ failure: LineFailure, line: Int, lineStart: Int, lineEnd: Int) -> LineProtocolError {
        LineProtocolError(
            line: line,
            column: failure.offset - lineStart + 1,
            reason: failure.reason.text,
            text: LineProtocolError.excerpt(UnsafeBufferPointer(start: p + lineStart, count: lineEnd - lineStart))
        )
    }

    func findNewline(from pos: Int) -> Int {
        guard let hit = memchr(p + pos, Int32(LPByte.newline), count - pos) else { return count }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }

    /// Content end of the line `[start, newline)`: a `\r` before the `\n` (or before the end of
    /// the body) is part of the terminator.
    func trimCR(_ start: Int, _ newline: Int) -> Int {
        newline > start && p[newline - 1] == LPByte.carriageReturn ? newline - 1 : newline
    }

    // MARK: - One entry

    mutating func parseEntry(lineStart: Int, start: Int, end: Int, newline: Int, multiline: Bool) throws(LineFailure) -> Point {
        beginEntry(lineStart: lineStart, end: end, newline: newline, multiline: multiline)
        let series = try parseSeries(from: start)
        var i = skipBlanks(series.end)
        guard i < self.end else { throw LineFailure(.missingFields, at: i) }

        var fields: [Field] = []
        fields.reserveCapacity(lastFieldCount)
        i = try parseFields(from: i, into: &fields)
        lastFieldCount = fields.count

        let timestamp = try finishEntry(fieldsEnd: i, lineStart: lineStart)
        // Tags are already sorted and unique; assigning them after init skips Point's re-sort.
        var point = Point(measurement: series.measurement, tags: [], fields: fields, timestamp: timestamp)
        point.tags = series.tags
        return point
    }

    @inline(__always)
    func skipBlanks(_ from: Int) -> Int {
        var i = from
        while i < end, p[i] == LPByte.space || p[i] == LPByte.tab { i += 1 }
        return i
    }

    func parseTimestamp(from pos: Int) throws(LineFailure) -> Int64 {
        var i = skipBlanks(pos)
        guard i < end else { return defaultTimestamp }
        let start = i
        while i < end, p[i] != LPByte.space, p[i] != LPByte.tab { i += 1 }
        let timestamp = try LineProtocolNumbers.parseTimestamp(p, start, i, multiplier: multiplier)
        i = skipBlanks(i)
        guard i == end else { throw LineFailure(.trailingText, at: i) }
        return timestamp
    }

    // MARK: - Measurement and tags

    /// A line's measurement and sorted tags; `end` is the index of the unescaped space (or
    /// end) after them, `entry` the series cache's entry for their bytes (nil once it is full).
    struct ParsedSeries {
        var measurement: String
        var tags: [Tag]
        var end: Int
        var entry: Int?
    }

    mutating func parseSeries(from start: Int) throws(LineFailure) -> ParsedSeries {
        let seriesEnd = seriesEnd(from: start)
        let length = seriesEnd - start
        let hash = LineSeriesCache.hash(p, start: start, length: length)
        if let hit = series.lookup(hash: hash, start: start, length: length, in: p) {
            let entry = series[hit]
            return ParsedSeries(measurement: entry.measurement, tags: entry.tags, end: seriesEnd, entry: hit)
        }
        let (measurement, tags) = try decodeSeries(start, seriesEnd)
        let entry = series.insert(.init(hash: hash, start: start, length: length, measurement: measurement, tags: tags))
        return ParsedSeries(measurement: measurement, tags: tags, end: seriesEnd, entry: entry)
    }

    /// The first unescaped space at or after `start` (or `end`). Two `memchr`s when the run
    /// has no backslash (the usual case), a byte loop otherwise.
    @inline(__always)
    func seriesEnd(from start: Int) -> Int {
        let space = memchr(p + start, Int32(LPByte.space), end - start)
            .map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? end
        if memchr(p + start, Int32(LPByte.backslash), space - start) == nil { return space }
        var i = start
        while i < end {
            let c = p[i]
            if c == LPByte.space { break }
            i += c == LPByte.backslash ? 2 : 1
        }
        return min(i, end)
    }

    /// Scans an escaped token from `i` up to the first unescaped `stop1`/`stop2`/space or `limit`.
    /// A backslash always takes the next byte with it, so that byte never ends the token.
    @inline(__always)
    func scanToken(from i: Int, limit: Int, stop1: UInt8, stop2: UInt8, escaped: inout Bool) -> Int {
        var i = i
        while i < limit {
            let c = p[i]
            // Within a series section (which ends at the first unescaped space) the space
            // test never fires; in a field section it ends the last field.
            if c == stop1 || c == stop2 || c == LPByte.space { return i }
            if c == LPByte.backslash {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
        return limit
    }

    private func decodeSeries(_ start: Int, _ seriesEnd: Int) throws(LineFailure) -> (String, [Tag]) {
        if p[start] == LPByte.comma { throw LineFailure(.missingMeasurement, at: start) }
        var escaped = false
        var i = scanToken(from: start, limit: seriesEnd, stop1: LPByte.comma, stop2: LPByte.comma, escaped: &escaped)
        let measurement = try makeString(start, i, escaped: escaped, kind: .measurement)

        var tags: [Tag] = []
        var keyStarts: [Int] = []
        while i < seriesEnd {
            i += 1  // the comma
            let keyStart = i
            var keyEscaped = false
            i = scanToken(from: i, limit: seriesEnd, stop1: LPByte.equals, stop2: LPByte.comma, escaped: &keyEscaped)
            if i == keyStart { throw LineFailure(.missingTagKey, at: keyStart) }
            guard i < seriesEnd, p[i] == LPByte.equals else { throw LineFailure(.missingTagValue, at: i) }
            let keyEnd = i
            i += 1
            let valueStart = i
            var valueEscaped = false
            i = scanToken(from: i, limit: seriesEnd, stop1: LPByte.comma, stop2: LPByte.equals, escaped: &valueEscaped)
            if i < seriesEnd, p[i] == LPByte.equals { throw LineFailure(.invalidTagFormat, at: i) }
            if i == valueStart { throw LineFailure(.missingTagValue, at: valueStart) }
            let key = try makeString(keyStart, keyEnd, escaped: keyEscaped, kind: .key)
            let value = try makeString(valueStart, i, escaped: valueEscaped, kind: .key)
            tags.append(Tag(key, value))
            keyStarts.append(keyStart)
        }
        if tags.count > limits.maxTags {
            throw LineFailure(.tooManyTags(tags.count, limit: limits.maxTags), at: keyStarts[limits.maxTags])
        }
        return (measurement, try sortedUnique(tags, keyStarts: keyStarts))
    }

    /// Tags sorted by key bytes; a repeated key is an error at its second occurrence, as in
    /// InfluxDB ("duplicate tags").
    private func sortedUnique(_ tags: [Tag], keyStarts: [Int]) throws(LineFailure) -> [Tag] {
        var inOrder = true
        for k in tags.indices.dropFirst() where !(tags[k - 1] < tags[k]) {
            inOrder = false
            break
        }
        if inOrder { return tags }

        // Sort positions, ties by position, so a duplicate group lists its occurrences in order.
        var order = Array(tags.indices)
        order.sort { a, b in
            if tags[a] < tags[b] { return true }
            if tags[b] < tags[a] { return false }
            return a < b
        }
        var firstRepeat: Int?
        for k in order.indices.dropFirst() where tags[order[k - 1]].key.utf8.elementsEqual(tags[order[k]].key.utf8) {
            firstRepeat = min(firstRepeat ?? order[k], order[k])
        }
        if let repeated = firstRepeat {
            throw LineFailure(.duplicateTagKey(tags[repeated].key), at: keyStarts[repeated])
        }
        return order.map { tags[$0] }
    }
}
