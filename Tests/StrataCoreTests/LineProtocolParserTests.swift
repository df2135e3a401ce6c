import Testing
@testable import StrataCore

// MARK: - Helpers

private let now: Int64 = 1_700_000_000_000_000_000

private func parse(
    _ body: String, precision: TimeUnit = .nanoseconds, limits: LineProtocolLimits = LineProtocolLimits()
) -> ParsedLines {
    LineProtocolParser(precision: precision, limits: limits).parse(Array(body.utf8), defaultTimestamp: now)
}

private func point(
    _ measurement: String, _ tags: [(String, String)] = [], _ fields: [(String, FieldValue)], _ timestamp: Int64 = now
) -> Point {
    Point(
        measurement: measurement,
        tags: tags.map { Tag($0.0, $0.1) },
        fields: fields.map { Field($0.0, $0.1) },
        timestamp: timestamp
    )
}

/// Equality with floats compared by bits, so -0.0 and 0.0 differ.
private func identical(_ a: Point, _ b: Point) -> Bool {
    a.measurement == b.measurement && a.tags == b.tags && a.timestamp == b.timestamp
        && a.fields.count == b.fields.count
        && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value.isIdentical(to: $1.value) }
}

// MARK: - Valid input

struct LineProtocolValidCase: Sendable, CustomTestStringConvertible {
    var body: String
    var expected: [Point]
    var testDescription: String { body.debugDescription }
    init(_ body: String, _ expected: Point...) {
        self.body = body
        self.expected = expected
    }
}

private let validCases: [LineProtocolValidCase] = [
    LineProtocolValidCase("cpu value=1", point("cpu", [], [("value", .float(1))])),
    LineProtocolValidCase("cpu,host=a value=1.5 1000", point("cpu", [("host", "a")], [("value", .float(1.5))], 1000)),
    LineProtocolValidCase(
        "weather,location=us-midwest temperature=82 1465839830100400200",
        point("weather", [("location", "us-midwest")], [("temperature", .float(82))], 1_465_839_830_100_400_200)),
    // Tags come out sorted by key bytes.
    LineProtocolValidCase("cpu,b=2,a=1,B=3 v=1i", point("cpu", [("B", "3"), ("a", "1"), ("b", "2")], [("v", .integer(1))])),
    // Escapes: measurement `,` and space; keys and tag values `,` `=` space.
    LineProtocolValidCase(
        #"my\ measurement,tag\ key=tag\ value field\ key=1i"#,
        point("my measurement", [("tag key", "tag value")], [("field key", .integer(1))])),
    LineProtocolValidCase(#"m\,x,k\,1=v\,1 f\,1=1"#, point("m,x", [("k,1", "v,1")], [("f,1", .float(1))])),
    LineProtocolValidCase(#"m,k\=1=v\=1 f\=1=1"#, point("m", [("k=1", "v=1")], [("f=1", .float(1))])),
    // A backslash before any other byte is literal (in a measurement `=` is not special).
    LineProtocolValidCase(#"m\=x,k=v\x f\\=1"#, point(#"m\=x"#, [("k", #"v\x"#)], [(#"f\\"#, .float(1))])),
    LineProtocolValidCase(#"m=x,k="v" "f"=1"#, point("m=x", [("k", "\"v\"")], [("\"f\"", .float(1))])),
    // String field values: `\"` and `\\` are escapes; commas, spaces, `=` are content.
    LineProtocolValidCase(#"m s="hello, world = x""#, point("m", [], [("s", .string("hello, world = x"))])),
    LineProtocolValidCase(
        #"m s="a \"quoted\" \\ back\slash \n""#,
        point("m", [], [("s", .string(#"a "quoted" \ back\slash \n"#))])),
    LineProtocolValidCase(#"m s="""#, point("m", [], [("s", .string(""))])),
    LineProtocolValidCase(#"m s="x",t="y" 5"#, point("m", [], [("s", .string("x")), ("t", .string("y"))], 5)),
    // A string may run over a newline, as InfluxDB 1.x/2.x accept.
    LineProtocolValidCase("m s=\"line1\nline2\" 5", point("m", [], [("s", .string("line1\nline2"))], 5)),
    // Integers and unsigned at their limits.
    LineProtocolValidCase(
        "m i=-9223372036854775808i,j=9223372036854775807i,k=0i,l=-0i,m=007i",
        point("m", [], [("i", .integer(.min)), ("j", .integer(.max)), ("k", .integer(0)), ("l", .integer(0)), ("m", .integer(7))])),
    LineProtocolValidCase(
        "m u=18446744073709551615u,v=0u",
        point("m", [], [("u", .unsigned(.max)), ("v", .unsigned(0))])),
    LineProtocolValidCase(
        "m a=1,b=1.0,c=-1.5e10,d=1E-3,e=.5,f=5.,g=1.e+78,h=-0.0,i=0.1,j=-.25e-2,k=1e+0",
        point("m", [], [
            ("a", .float(1)), ("b", .float(1)), ("c", .float(-1.5e10)), ("d", .float(1e-3)), ("e", .float(0.5)),
            ("f", .float(5)), ("g", .float(1e78)), ("h", .float(-0.0)), ("i", .float(0.1)), ("j", .float(-0.0025)),
            ("k", .float(1)),
        ])),
    LineProtocolValidCase(
        "m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE",
        point("m", [], [
            ("a", .boolean(true)), ("b", .boolean(true)), ("c", .boolean(true)), ("d", .boolean(true)),
            ("e", .boolean(true)), ("f", .boolean(false)), ("g", .boolean(false)), ("h", .boolean(false)),
            ("i", .boolean(false)), ("j", .boolean(false)),
        ])),
    // A repeated field key: the later value wins, at the first key's position.
    LineProtocolValidCase("m a=1,b=2,a=3i", point("m", [], [("a", .integer(3)), ("b", .float(2))])),
    // Whitespace: leading, repeated separators, trailing; negative timestamps.
    LineProtocolValidCase("   \tcpu v=1", point("cpu", [], [("v", .float(1))])),
    LineProtocolValidCase("cpu  v=1   -1000  ", point("cpu", [], [("v", .float(1))], -1000)),
    LineProtocolValidCase("cpu v=1 \t", point("cpu", [], [("v", .float(1))])),
    LineProtocolValidCase("cpu v=1 0", point("cpu", [], [("v", .float(1))], 0)),
    // Comments, blank lines, CRLF, several lines.
    LineProtocolValidCase("# comment\n\n   \n  # indented\ncpu v=1\n", point("cpu", [], [("v", .float(1))])),
    LineProtocolValidCase(
        "a v=1\r\nb v=2 3\r\n\r\nc s=\"x\"\r\n",
        point("a", [], [("v", .float(1))]), point("b", [], [("v", .float(2))], 3), point("c", [], [("s", .string("x"))])),
    LineProtocolValidCase("a v=1\nb v=2", point("a", [], [("v", .float(1))]), point("b", [], [("v", .float(2))])),
    LineProtocolValidCase("", ),
    LineProtocolValidCase("\n\n# only comments\n"),
    // UTF-8 everywhere.
    LineProtocolValidCase(
        "mé,tâg=välue fïeld=\"ünï 日本\" 1",
        point("mé", [("tâg", "välue")], [("fïeld", .string("ünï 日本"))], 1)),
]

// MARK: - Invalid input

struct LineProtocolInvalidCase: Sendable, CustomTestStringConvertible {
    var line: [UInt8]
    var reason: String
    var column: Int
    var testDescription: String { String(decoding: line, as: UTF8.self).debugDescription }
    init(_ line: String, _ reason: String, _ column: Int) {
        self.init(bytes: Array(line.utf8), reason, column)
    }
    init(bytes: [UInt8], _ reason: String, _ column: Int) {
        self.line = bytes
        self.reason = reason
        self.column = column
    }
}

private let invalidCases: [LineProtocolInvalidCase] = [
    LineProtocolInvalidCase("cpu", "missing fields", 4),
    LineProtocolInvalidCase("cpu ", "missing fields", 5),
    LineProtocolInvalidCase("cpu,host=a", "missing fields", 11),
    LineProtocolInvalidCase(",host=a v=1", "missing measurement", 1),
    LineProtocolInvalidCase("cpu,=a v=1", "missing tag key", 5),
    LineProtocolInvalidCase("cpu, v=1", "missing tag key", 5),
    LineProtocolInvalidCase("cpu,a=1, v=1", "missing tag key", 9),
    LineProtocolInvalidCase("cpu,host v=1", "missing tag value", 9),
    LineProtocolInvalidCase("cpu,host= v=1", "missing tag value", 10),
    LineProtocolInvalidCase("cpu,a=b=c v=1", "invalid tag format", 8),
    LineProtocolInvalidCase("cpu,a=1,a=2 v=1", "duplicate tag key \"a\"", 9),
    LineProtocolInvalidCase("cpu,b=1,a=1,b=2 v=1", "duplicate tag key \"b\"", 13),
    LineProtocolInvalidCase("cpu v", "invalid field format", 6),
    LineProtocolInvalidCase("cpu v 1", "invalid field format", 6),
    LineProtocolInvalidCase("cpu =1", "missing field key", 5),
    LineProtocolInvalidCase("cpu v=1,", "missing field key", 9),
    LineProtocolInvalidCase("cpu v=1,,w=2", "missing field key", 9),
    LineProtocolInvalidCase("cpu v=", "missing field value", 7),
    LineProtocolInvalidCase("cpu v=,w=1", "missing field value", 7),
    LineProtocolInvalidCase("cpu v= 1", "missing field value", 7),
    LineProtocolInvalidCase("cpu v=tru", "invalid boolean", 7),
    LineProtocolInvalidCase("cpu v=truee", "invalid boolean", 7),
    LineProtocolInvalidCase("cpu v=tRUE", "invalid boolean", 7),
    LineProtocolInvalidCase("cpu v=yes", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1.2.3", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1x", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=-", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=.", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=NaN", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=inf", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=-Inf", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=+1", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=0x10", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1e", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1e+", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1.5i", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1e3i", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=i", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1i2", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=-1u", "invalid number", 7),
    LineProtocolInvalidCase("cpu v=1e400", "float out of range", 7),
    LineProtocolInvalidCase("cpu v=-1e400", "float out of range", 7),
    LineProtocolInvalidCase("cpu v=9223372036854775808i", "integer out of range", 7),
    LineProtocolInvalidCase("cpu v=-9223372036854775809i", "integer out of range", 7),
    LineProtocolInvalidCase("cpu v=18446744073709551616u", "unsigned out of range", 7),
    LineProtocolInvalidCase(#"cpu v="abc"#, "unbalanced quotes", 7),
    LineProtocolInvalidCase(#"cpu v="abc\""#, "unbalanced quotes", 7),
    LineProtocolInvalidCase(#"cpu v=1,s="abc 1"#, "unbalanced quotes", 11),
    LineProtocolInvalidCase(#"cpu v="a"b"#, "invalid field format", 10),
    LineProtocolInvalidCase("cpu v=1 abc", "invalid timestamp", 9),
    LineProtocolInvalidCase("cpu v=1 12a", "invalid timestamp", 9),
    LineProtocolInvalidCase("cpu v=1 -", "invalid timestamp", 9),
    LineProtocolInvalidCase("cpu v=1 1.5", "invalid timestamp", 9),
    LineProtocolInvalidCase("cpu v=1 +5", "invalid timestamp", 9),
    LineProtocolInvalidCase("cpu v=1 99999999999999999999", "timestamp out of range", 9),
    LineProtocolInvalidCase("cpu v=1 1 2", "unexpected text after timestamp", 11),
    LineProtocolInvalidCase("  cpu", "missing fields", 6),
    LineProtocolInvalidCase(bytes: [0x63, 0xFF, 0x75, 0x20, 0x76, 0x3D, 0x31], "invalid UTF-8", 2),
    LineProtocolInvalidCase(bytes: Array("m,k=a".utf8) + [0xC3, 0x28] + Array(" v=1".utf8), "invalid UTF-8", 6),
    LineProtocolInvalidCase(bytes: Array("m ".utf8) + [0xC0, 0x80] + Array("=1".utf8), "invalid UTF-8", 3),
    LineProtocolInvalidCase(bytes: Array("m s=\"ab".utf8) + [0xED, 0xA0, 0x80] + Array("\"".utf8), "invalid UTF-8", 8),
    LineProtocolInvalidCase(bytes: Array("m s=\"".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("\"".utf8), "invalid UTF-8", 6),
]

// MARK: - Partial bodies

// MARK: - Fuzzing and round trips


private let fuzzSeeds: [String] = [
    "robot,device_id=robot-0000,fleet=fleet-north,model=tx9 battery=68.50,temperature=36.04,x=118.766,status=0i,charging=false 1704067200000000000",
    #"my\ measurement,tag\ key=tag\,value,k\=1=v field\ key="a \"quoted\" \\ string",u=12u,b=T -5"#,
    "m s=\"multi\nline\",f=1.e+78,g=-.5E-3 1\n# comment\n\r\nm2,a=1 v=1",
    "mé,tâg=välue fïeld=\"ünï 日本\",i=-9223372036854775808i 9223372036854775807",
]

/// The bytes mutations draw from: the syntax bytes plus a few awkward ones.
private let interestingBytes = Array(" ,=\\\"\n\r\t#-.eEiu0123456789tfTF".utf8) + [0x00, 0x80, 0xC3, 0xED, 0xFF]

/// Writes a point the way a client library would.
/// `seed` with one to four random edits: a byte replaced, inserted or removed, or a run of up
/// to eight bytes repeated in place.
private func mutated(_ seed: String, rng: inout SplitMix64) -> [UInt8] {
    var bytes = Array(seed.utf8)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let at = Int.random(in: 0..<max(bytes.count, 1), using: &rng)
        let byte = Bool.random(using: &rng)
            ? interestingBytes.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0 where !bytes.isEmpty: bytes[at] = byte
        case 1: bytes.insert(byte, at: min(at, bytes.count))
        case 2 where !bytes.isEmpty: bytes.remove(at: at)
        default: bytes.insert(contentsOf: bytes[at...].prefix(8), at: at)
        }
    }
    return bytes
}

private func serialize(_ point: Point, withTimestamp: Bool, rng: inout SplitMix64) -> String {
    var line = LineProtocolEscaping.escapeMeasurement(point.measurement)
    for tag in point.tags {
        line += "," + LineProtocolEscaping.escapeKey(tag.key) + "=" + LineProtocolEscaping.escapeKey(tag.value)
    }
    line += " "
    line += point.fields.map { field in
        let value: String
        switch field.value {
        case .float(let d): value = "\(d)"
        case .integer(let i): value = "\(i)i"
        case .unsigned(let u): value = "\(u)u"
        case .boolean(let b):
            value = (b ? ["t", "T", "true", "True", "TRUE"] : ["f", "F", "false", "False", "FALSE"]).randomElement(using: &rng)!
        case .string(let s):
            var escaped = "\""
            for c in s {
                if c == "\\" || c == "\"" { escaped.append("\\") }
                escaped.append(c)
            }
            value = escaped + "\""
        }
        return LineProtocolEscaping.escapeKey(field.key) + "=" + value
    }.joined(separator: ",")
    if withTimestamp { line += " \(point.timestamp)" }
    return line
}

private let nameCharacters: [Character] = Array("abcXYZ019_-.:/ ,=\"'#éß日本🙂")
private let stringCharacters: [Character] = Array("abc XYZ 019,=\"\\'\n\r\téß日本🙂") + ["\r\n"]

private func randomText(_ alphabet: [Character], _ length: ClosedRange<Int>, rng: inout SplitMix64) -> String {
    String((0..<Int.random(in: length, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
}

/// Identifiers cannot end in a backslash or start a comment; `LineProtocolEscaping` does not
/// escape backslashes, so these names avoid them (string values do not).
private func randomName(rng: inout SplitMix64, measurement: Bool = false) -> String {
    var name = randomText(nameCharacters, 1...8, rng: &rng)
    if measurement, name.first == "#" { name = "m" + name }
    return name
}

private func randomPoint(rng: inout SplitMix64) -> Point {
    var tags: [String: String] = [:]
    for _ in 0..<Int.random(in: 0...4, using: &rng) { tags[randomName(rng: &rng)] = randomName(rng: &rng) }
    var fields: [Field] = []
    var keys = Set<String>()
    for _ in 0..<Int.random(in: 1...6, using: &rng) {
        let key = randomName(rng: &rng)
        guard keys.insert(key).inserted else { continue }
        let value: FieldValue
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            value = .float(d)
        case 1: value = .float(Double(Int.random(in: -100_000...100_000, using: &rng)) / 100)
        case 2: value = .integer(Int64(bitPattern: rng.next()))
        case 3: value = .unsigned(rng.next())
        case 4: value = .boolean(Bool.random(using: &rng))
        default: value = .string(randomText(stringCharacters, 0...12, rng: &rng))
        }
        fields.append(Field(key, value))
    }
    return Point(
        measurement: randomName(rng: &rng, measurement: true),
        tags: tags.map { Tag($0.key, $0.value) },
        fields: fields,
        timestamp: Int64(bitPattern: rng.next())
    )
}

@Suite struct LineProtocolParserTests {
    @Test(arguments: validCases)
    func parsesValidBodies(_ c: LineProtocolValidCase) {
        let result = parse(c.body)
        #expect(result.errors == [])
        #expect(result.points.count == c.expected.count)
        for (got, want) in zip(result.points, c.expected) {
            #expect(identical(got, want), "got \(got), want \(want)")
        }
    }

    @Test func lineNumbersCountCommentsBlankLinesAndMultiLineStrings() {
        let result = parse("# c\n\na v=1\nb s=\"x\ny\" 1\nc v=2\n")
        #expect(result.errors == [])
        #expect(result.points.map(\.measurement) == ["a", "b", "c"])
        #expect(result.lineNumbers == [3, 4, 6])
    }

    @Test(arguments: TimeUnit.allCases)
    func convertsTimestampPrecision(_ precision: TimeUnit) {
        let result = parse("m v=1 7\nm v=2 -3\nm v=3", precision: precision)
        #expect(result.errors == [])
        #expect(result.points.map(\.timestamp) == [7 * precision.nanosecondsPerUnit, -3 * precision.nanosecondsPerUnit, now])
    }

    @Test(arguments: [
        "0.1", "123.456", "1e22", "1e23", "9007199254740993", "9007199254740992.5", "0.30000000000000004",
        "2.2250738585072014e-308", "4.9e-324", "1e-400", "1.7976931348623157e308", "123456789012345678901234567890",
        "-0.000001234", "3.14159265358979323846264338", "68.50", "118.766", "0.000000000000000000000000001",
        "1234567890123456789", "12345678901234567890", ".000123e+5", "-9.999999999999999e22",
    ])
    func floatsRoundLikeStrtod(_ text: String) throws {
        let result = parse("m v=\(text)")
        #expect(result.errors == [])
        let value = try #require(result.points.first?.fields.first?.value)
        #expect(value.isIdentical(to: .float(Double(text)!)), "\(text) gave \(value)")
    }

    @Test(arguments: invalidCases)
    func rejectsInvalidLines(_ c: LineProtocolInvalidCase) throws {
        let result = LineProtocolParser().parse(c.line, defaultTimestamp: now)
        #expect(result.points.isEmpty)
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.reason == c.reason)
        #expect(error.column == c.column)
        #expect(error.line == 1)
        #expect(error.text == String(decoding: c.line, as: UTF8.self))
    }

    @Test func timestampOverflowAfterPrecision() {
        let result = parse("m v=1 9223372036854775\nm v=1 9223372036", precision: .seconds)
        #expect(result.errors.map(\.reason) == ["timestamp out of range"])
        #expect(result.points.map(\.timestamp) == [9_223_372_036_000_000_000])
    }

    @Test func limitsNameTheLimit() {
        var limits = LineProtocolLimits()
        limits.maxLineBytes = 10
        limits.maxTags = 2
        limits.maxFields = 2
        let result = parse("cpu value=1\nm,a=1,b=2,c=3 v\nm,a=1 a=1,b=2,c=3\nm a=1,b=2,a=3\nm v=1", limits: limits)
        // Line length excludes the terminator; tag and field limits are checked on a lower line limit.
        #expect(result.errors.map(\.reason) == ["line too long (11 bytes, limit 10)", "line too long (15 bytes, limit 10)",
                                                "line too long (17 bytes, limit 10)", "line too long (13 bytes, limit 10)"])
        #expect(result.errors.first?.column == 11)
        #expect(result.lineNumbers == [5])

        limits.maxLineBytes = 100
        let counted = parse("m,a=1,b=2,c=3 v=1\nm,a=1 a=1,b=2,c=3\nm a=1,b=2,a=3", limits: limits)
        #expect(counted.errors.map(\.reason) == ["too many tags (3, limit 2)", "too many fields (3, limit 2)"])
        #expect(counted.errors.map(\.column) == [11, 15])
        #expect(counted.points.count == 1)  // a repeated key counts once
    }

    @Test func defaultLimits() {
        let tags = (0..<300).map { ",t\($0)=v" }.joined()
        let long = "m v=\"" + String(repeating: "x", count: 70_000 - 6) + "\""
        let result = parse("m\(tags) v=1\n\(long)")
        #expect(result.errors.map(\.reason) == ["too many tags (300, limit 256)", "line too long (70000 bytes, limit 65536)"])
        #expect(result.errors.map(\.line) == [1, 2])
    }

    @Test func errorTextIsTruncatedAndDescribed() throws {
        let line = "cpu v=tru " + String(repeating: "é", count: 200)
        let error = try #require(parse(line).errors.first)
        #expect(error.text.utf8.count <= 200 + "…".utf8.count)
        #expect(error.text.hasSuffix("…"))
        #expect(line.hasPrefix(String(error.text.dropLast())))
        let short = try #require(parse("x\ncpu v=tru").errors.last)
        #expect(short.description == "unable to parse 'cpu v=tru': invalid boolean (line 2, column 7)")
    }

    @Test func goodLinesAroundBadOnesSurvive() {
        let result = parse("a v=1\nbad\nb v=2\n\nc v=tru\nd v=3 5\r\ne,x= v=1\nf v=4")
        #expect(result.points.map(\.measurement) == ["a", "b", "d", "f"])
        #expect(result.lineNumbers == [1, 3, 6, 8])
        #expect(result.errors.map(\.line) == [2, 5, 7])
        #expect(result.errors.map(\.reason) == ["missing fields", "invalid boolean", "missing tag value"])
        #expect(result.errors.map(\.text) == ["bad", "c v=tru", "e,x= v=1"])
    }

    @Test func strayQuoteDoesNotSwallowLaterLines() {
        // The string of line 1 would close in line 2; that entry then fails, so line 1 is judged
        // alone and lines 2 and 3 are parsed on their own.
        let result = parse("m s=\"abc 1\nm s=\"def\" 2\nm v=3")
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
        let result = parse(body)
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
            let bytes = mutated(fuzzSeeds[seedIndex], rng: &rng)
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
            var point = randomPoint(rng: &rng)
            let withTimestamp = Bool.random(using: &rng)
            if !withTimestamp { point.timestamp = now }
            points.append(point)
            body += serialize(point, withTimestamp: withTimestamp, rng: &rng) + (Bool.random(using: &rng) ? "\n" : "\r\n")
        }
        let result = parse(body)
        #expect(result.errors == [])
        #expect(result.points.count == points.count)
        for (got, want) in zip(result.points, points) {
            #expect(identical(got, want), "got \(got), want \(want)")
        }
    }
}

/// `parseColumns`, the write path's parse, against `parse`: the same errors and, read back in
/// line order, the same points (fields compared by name: a column has no order within a row).
@Suite struct LineProtocolColumnsTests {
    static func agree(_ bytes: [UInt8], precision: TimeUnit = .nanoseconds, sourceLocation: SourceLocation = #_sourceLocation) {
        let parser = LineProtocolParser(precision: precision)
        let points = parser.parse(bytes, defaultTimestamp: now)
        let columns = parser.parseColumns(bytes, defaultTimestamp: now)
        #expect(columns.errors == points.errors, sourceLocation: sourceLocation)
        let (got, lines) = columns.pointsInLineOrder()
        #expect(lines == points.lineNumbers, sourceLocation: sourceLocation)
        #expect(got.count == points.points.count, sourceLocation: sourceLocation)
        func byName(_ p: Point) -> Point {
            var p = p
            p.fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return p
        }
        for (a, b) in zip(got, points.points) where !identical(byName(a), byName(b)) {
            Issue.record("columns gave \(a), points \(b), in \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                         sourceLocation: sourceLocation)
        }
        #expect(Set(columns.series.map(\.key)).count == columns.series.count, sourceLocation: sourceLocation)
    }

    @Test(arguments: validCases)
    func validBodiesAgree(_ c: LineProtocolValidCase) {
        Self.agree(Array(c.body.utf8))
    }

    @Test(arguments: invalidCases)
    func invalidLinesAgree(_ c: LineProtocolInvalidCase) {
        Self.agree(c.line + Array("\nm v=1\n".utf8))
    }

    @Test func rowsOfOneSeriesShareColumnsAcrossSpellingsAndGaps() throws {
        let body = "m,a=1,b=2 v=1,w=1i 1\nm,b=2,a=1 v=2 2\nm,a=1,b=2 w=3i,v=3 3\nm,a=1,b=2 v=4,v=5 4"
        let columns = LineProtocolParser().parseColumns(Array(body.utf8), defaultTimestamp: now)
        let rows = try #require(columns.series.first)
        #expect(columns.series.count == 1)
        #expect(columns.lines == [[1, 2, 3, 4]])
        #expect(rows.timestamps == [1, 2, 3, 4])
        #expect(rows.columns["v"]?.floats == [1, 2, 3, 5])
        #expect(rows.columns["w"]?.valid == [true, false, true, false])
        #expect(columns.mixedTypeLines.isEmpty)
    }

    @Test func aBadLineLeavesNoColumnBehind() {
        // `a` parses before `b` fails: no column may claim a type for a value never stored.
        let columns = LineProtocolParser().parseColumns(Array("m a=1,b=bad 1\nm c=1 2\nn x=1,y=\"open 3".utf8), defaultTimestamp: now)
        #expect(columns.errors.map(\.line) == [1, 3])
        #expect(columns.series.map { Array($0.columns.keys) } == [["c"]])
        #expect(columns.lines == [[2]])
    }

    @Test func aLineThatChangesAFieldsTypeStaysAPoint() {
        let columns = LineProtocolParser().parseColumns(Array("m v=1 1\nm v=2i 2\nm v=3 3\nm v=4,v=5i 4".utf8), defaultTimestamp: now)
        #expect(columns.lines == [[1, 3]])
        #expect(columns.mixedTypeLines.map(\.line) == [2, 4])
        #expect(columns.mixedTypeLines.map { $0.point.fields } == [[Field("v", .integer(2))], [Field("v", .integer(5))]])
        #expect(columns.pointsInLineOrder().lines == [1, 2, 3, 4])
    }

    /// Each line gives the series one more field: shared layouts would hold n²/2 names, so
    /// past their budget the series extends a layout of its own. A line that adds a field
    /// and then fails leaves no trace in it.
    @Test func aSeriesThatKeepsGainingFieldsParsesLikePoints() throws {
        var body = ""
        for k in 0..<400 { body += "m " + (0...k).map { "f\($0)=\($0)i" }.joined(separator: ",") + " \(k)\n" }
        body += "m f0=1i,f999=1i,f1=bad 999\nm f0=2i 1000\n"
        Self.agree(Array(body.utf8))
        let columns = LineProtocolParser().parseColumns(Array(body.utf8), defaultTimestamp: now)
        let rows = try #require(columns.series.first)
        #expect(rows.columns.count == 400 && rows.columns["f999"] == nil)
        #expect(rows.columns["f399"]?.valid.filter { $0 }.count == 1)
    }

    /// Wide rows whose fields come in another order each line: columns are found by name
    /// (through the layout's index past 16 columns), repeated keys keep the last value.
    @Test func wideRowsInChangingOrderParseLikePoints() {
        var rng = SplitMix64(seed: 0x0D_D0)
        var body = ""
        for k in 0..<60 {
            var names = (0..<40).map { "f\($0)" }
            names.shuffle(using: &rng)
            body += "m " + (names + ["f\(k % 40)"]).enumerated().map { "\($1)=\($0)i" }.joined(separator: ",") + " \(k)\n"
        }
        Self.agree(Array(body.utf8))
    }

    @Test(arguments: 0..<4)
    func mutatedBodiesAgree(_ seedIndex: Int) {
        var rng = SplitMix64(seed: 0xC01_0000 + UInt64(seedIndex))
        for _ in 0..<1_000 {
            let bytes = mutated(fuzzSeeds[seedIndex] + "\n" + fuzzSeeds[(seedIndex + 1) % fuzzSeeds.count], rng: &rng)
            Self.agree(bytes, precision: .microseconds)
        }
    }

    @Test(arguments: 0..<2)
    func randomBodiesAgree(_ seed: Int) {
        var rng = SplitMix64(seed: 0xC0DE_0000 + UInt64(seed))
        var body = ""
        for _ in 0..<500 {
            let point = randomPoint(rng: &rng)
            body += serialize(point, withTimestamp: Bool.random(using: &rng), rng: &rng) + "\n"
        }
        Self.agree(Array(body.utf8))
    }
}
