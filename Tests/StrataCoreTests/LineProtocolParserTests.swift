import Testing
@testable import StrataCore

@Suite struct LineProtocolParserTests {
    @Test(arguments: LineProtocolCases.validCases)
    func parsesValidBodies(_ c: LineProtocolValidCase) {
        let result = LineProtocolCases.parse(c.body)
        #expect(result.errors == [])
        #expect(result.points.count == c.expected.count)
        for (got, want) in zip(result.points, c.expected) {
            #expect(LineProtocolCases.identical(got, want), "got \(got), want \(want)")
        }
    }

    @Test func lineNumbersCountCommentsBlankLinesAndMultiLineStrings() {
        let result = LineProtocolCases.parse("# c\n\na v=1\nb s=\"x\ny\" 1\nc v=2\n")
        #expect(result.errors == [])
        #expect(result.points.map(\.measurement) == ["a", "b", "c"])
        #expect(result.lineNumbers == [3, 4, 6])
    }

    @Test(arguments: TimeUnit.allCases)
    func convertsTimestampPrecision(_ precision: TimeUnit) {
        let result = LineProtocolCases.parse("m v=1 7\nm v=2 -3\nm v=3", precision: precision)
        #expect(result.errors == [])
        #expect(result.points.map(\.timestamp) == [7 * precision.nanosecondsPerUnit, -3 * precision.nanosecondsPerUnit, LineProtocolCases.now])
    }

    @Test(arguments: [
        "0.1", "123.456", "1e22", "1e23", "9007199254740993", "9007199254740992.5", "0.30000000000000004",
        "2.2250738585072014e-308", "4.9e-324", "1e-400", "1.7976931348623157e308", "123456789012345678901234567890",
        "-0.000001234", "3.14159265358979323846264338", "68.50", "118.766", "0.000000000000000000000000001",
        "1234567890123456789", "12345678901234567890", ".000123e+5", "-9.999999999999999e22",
    ])
    func floatsRoundLikeStrtod(_ text: String) throws {
        let result = LineProtocolCases.parse("m v=\(text)")
        #expect(result.errors == [])
        let value = try #require(result.points.first?.fields.first?.value)
        #expect(value.isIdentical(to: .float(Double(text)!)), "\(text) gave \(value)")
    }

    @Test(arguments: LineProtocolCases.invalidCases)
    func rejectsInvalidLines(_ c: LineProtocolInvalidCase) throws {
        let result = LineProtocolParser().parse(c.line, defaultTimestamp: LineProtocolCases.now)
        #expect(result.points.isEmpty)
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.reason == c.reason)
        #expect(error.column == c.column)
        #expect(error.line == 1)
        #expect(error.text == String(decoding: c.line, as: UTF8.self))
    }

    @Test func timestampOverflowAfterPrecision() {
        let result = LineProtocolCases.parse("m v=1 9223372036854775\nm v=1 9223372036", precision: .seconds)
        #expect(result.errors.map(\.reason) == ["timestamp out of range"])
        #expect(result.points.map(\.timestamp) == [9_223_372_036_000_000_000])
    }

    @Test func limitsNameTheLimit() {
        var limits = LineProtocolLimits()
        limits.maxLineBytes = 10
        limits.maxTags = 2
        limits.maxFields = 2
        let result = LineProtocolCases.parse("cpu value=1\nm,a=1,b=2,c=3 v\nm,a=1 a=1,b=2,c=3\nm a=1,b=2,a=3\nm v=1", limits: limits)
        // Line length excludes the terminator; tag and field limits are checked on a lower line limit.
        #expect(result.errors.map(\.reason) == ["line too long (11 bytes, limit 10)", "line too long (15 bytes, limit 10)",
                                                "line too long (17 bytes, limit 10)", "line too long (13 bytes, limit 10)"])
        #expect(result.errors.first?.column == 11)
        #expect(result.lineNumbers == [5])

        limits.maxLineBytes = 100
        let counted = LineProtocolCases.parse("m,a=1,b=2,c=3 v=1\nm,a=1 a=1,b=2,c=3\nm a=1,b=2,a=3", limits: limits)
        #expect(counted.errors.map(\.reason) == ["too many tags (3, limit 2)", "too many fields (3, limit 2)"])
        #expect(counted.errors.map(\.column) == [11, 15])
        #expect(counted.points.count == 1)  // a repeated key counts once
    }

    @Test func defaultLimits() {
        let tags = (0..<300).map { ",t\($0)=v" }.joined()
        let long = "m v=\"" + String(repeating: "x", count: 70_000 - 6) + "\""
        let result = LineProtocolCases.parse("m\(tags) v=1\n\(long)")
        #expect(result.errors.map(\.reason) == ["too many tags (300, limit 256)", "line too long (70000 bytes, limit 65536)"])
        #expect(result.errors.map(\.line) == [1, 2])
    }

    @Test func errorTextIsTruncatedAndDescribed() throws {
        let line = "cpu v=tru " + String(repeating: "é", count: 200)
        let error = try #require(LineProtocolCases.parse(line).errors.first)
        #expect(error.text.utf8.count <= 200 + "…".utf8.count)
        #expect(error.text.hasSuffix("…"))
        #expect(line.hasPrefix(String(error.text.dropLast())))
        let short = try #require(LineProtocolCases.parse("x\ncpu v=tru").errors.last)
        #expect(short.description == "unable to parse 'cpu v=tru': invalid boolean (line 2, column 7)")
    }

    @Test func goodLinesAroundBadOnesSurvive() {
        let result = LineProtocolCases.parse("a v=1\nbad\nb v=2\n\nc v=tru\nd v=3 5\r\ne,x= v=1\nf v=4")
        #expect(result.points.map(\.measurement) == ["a", "b", "d", "f"])
        #expect(result.lineNumbers == [1, 3, 6, 8])
        #expect(result.errors.map(\.line) == [2, 5, 7])
        #expect(result.errors.map(\.reason) == ["missing fields", "invalid boolean", "missing tag value"])
        #expect(result.errors.map(\.text) == ["bad", "c v=tru", "e,x= v=1"])
    }

    @Test func strayQuoteDoesNotSwallowLaterLines() {
        // The string of line 1 would close in line 2; that entry then fails, so line 1 is judged
        // alone and lines 2 and 3 are parsed on their own.
        let result = LineProtocolCases.parse("m s=\"abc 1\nm s=\"def\" 2\nm v=3")
        #expect(result.errors.map(\.reason) == ["unbalanced quotes"])
        #expect(result.errors.map(\.column) == [5])
        #expect(result.errors.map(\.line) == [1])
        #expect(result.points.count == 2)
        #expect(result.lineNumbers == [2, 3])
        #expect(result.points.first?.fields.first?.value == .string("def"))
    }

    @Test func repeatedSeriesAndKeysStayCorrect() {
        // Exercises the per-call caches: the same series bytes and key positions again and again,
        // then a line whose keys repeat at cached positions.
        var body = ""
        for i in 0..<50 { body += "robot,id=r\(i % 3),fleet=n a=\(i),b=\(i)i,c=t \(i)\n" }
        body += "robot,id=r0,fleet=n a=1,a=2\nrobot,fleet=n,id=r0 b=1i\n"
        let result = LineProtocolCases.parse(body)
        #expect(result.errors == [])
        #expect(result.points.count == 52)
        #expect(result.points[49].tags == [Tag("fleet", "n"), Tag("id", "r1")])
        #expect(result.points[49].fields.map(\.value) == [.float(49), .integer(49), .boolean(true)])
        #expect(result.points[50].fields.map(\.key) == ["a"])
        #expect(result.points[50].fields.map(\.value) == [.float(2)])
        #expect(result.points[51].seriesKey == result.points[0].seriesKey)
    }

    @Test func rawBufferEntryPoint() {
        let bytes = Array("a v=1\nb v=2".utf8)
        let result = bytes.withUnsafeBytes { LineProtocolParser().parse($0, defaultTimestamp: 9) }
        #expect(result.points.map(\.timestamp) == [9, 9])
        let empty = LineProtocolParser().parse(UnsafeRawBufferPointer(start: nil, count: 0), defaultTimestamp: 0)
        #expect(empty.points.isEmpty && empty.errors.isEmpty)
    }

    @Test(arguments: 0..<4)
    func mutatedLinesNeverCrash(_ seedIndex: Int) {
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(seedIndex))
        let parser = LineProtocolParser(precision: .microseconds)
        for _ in 0..<3_000 {
            let bytes = LineProtocolCases.mutated(LineProtocolCases.fuzzSeeds[seedIndex], rng: &rng)
            let result = parser.parse(bytes, defaultTimestamp: 0)
            let physicalLines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            #expect(result.points.count == result.lineNumbers.count)
            #expect(result.points.count + result.errors.count <= physicalLines.count)
            #expect(result.lineNumbers == result.lineNumbers.sorted())
            for error in result.errors {
                #expect(error.line >= 1 && error.line <= physicalLines.count)
                #expect(error.column >= 1 && error.column <= physicalLines[error.line - 1].count + 1, "\(error) in \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
            for point in result.points {
                #expect(!point.measurement.isEmpty && !point.fields.isEmpty)
                #expect(point.tags == point.tags.sorted())
                #expect(point.tags.allSatisfy { !$0.key.isEmpty && !$0.value.isEmpty })
            }
        }
    }

    @Test(arguments: 0..<4)
    func randomPointsRoundTrip(_ seed: Int) {
        var rng = SplitMix64(seed: 0xB0D7_0000 + UInt64(seed))
        var points: [Point] = []
        var body = ""
        for _ in 0..<500 {
            var point = LineProtocolCases.randomPoint(rng: &rng)
            let withTimestamp = Bool.random(using: &rng)
            if !withTimestamp { point.timestamp = LineProtocolCases.now }
            points.append(point)
            body += LineProtocolCases.serialize(point, withTimestamp: withTimestamp, rng: &rng) + (Bool.random(using: &rng) ? "\n" : "\r\n")
        }
        let result = LineProtocolCases.parse(body)
        #expect(result.errors == [])
        #expect(result.points.count == points.count)
        for (got, want) in zip(result.points, points) {
            #expect(LineProtocolCases.identical(got, want), "got \(got), want \(want)")
        }
    }
}
