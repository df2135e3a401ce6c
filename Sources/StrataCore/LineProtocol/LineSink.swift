/// Where `LineScanner.run` puts what it parses: one call per non-blank, non-comment entry.
///
/// `take` parses the entry at the scanner's position (`LineScanner.parseEntry` or its own
/// reading of the scanner) and keeps the result; when it throws it must keep nothing of
/// that entry, because the scanner then reports the line through `fail` and moves on.
protocol LineSink {
    mutating func take(_ scanner: inout LineScanner, lineStart: Int, start: Int, end: Int, newline: Int, line: Int)
        throws(LineFailure)
    mutating func fail(_ error: LineProtocolError)
}

extension ParsedLines: LineSink {
    mutating func take(_ scanner: inout LineScanner, lineStart: Int, start: Int, end: Int, newline: Int, line: Int)
        throws(LineFailure)
    {
        let point = try scanner.parseEntry(lineStart: lineStart, start: start, end: end, newline: newline, multiline: true)
        if points.isEmpty {
            let expected = scanner.expectedLines(firstLineBytes: scanner.terminator + 1 - lineStart)
            points.reserveCapacity(expected)
            lineNumbers.reserveCapacity(expected)
        }
        points.append(point)
        lineNumbers.append(line)
    }

    mutating func fail(_ error: LineProtocolError) {
        errors.append(error)
    }
}
