import Testing
@testable import StrataCore

struct LineProtocolValidCase: Sendable, CustomTestStringConvertible {
    var body: String
    var expected: [Point]
    var testDescription: String { body.debugDescription }
    init(_ body: String, _ expected: Point...) {
        self.body = body
        self.expected = expected
    }
}

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

/// The cases, generators and helpers the line-protocol suites share: `LineProtocolParserTests`
/// (the points parse) and `LineProtocolColumnsTests` (the write path's columns parse).
enum LineProtocolCases {
    static let now: Int64 = 1_700_000_000_000_000_000

    static func parse(
        _ body: String, precision: TimeUnit = .nanoseconds, limits: LineProtocolLimits = LineProtocolLimits()
    ) -> ParsedLines {
        LineProtocolParser(precision: precision, limits: limits).parse(Array(body.utf8), defaultTimestamp: now)
    }

    static func point(
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
    static func identical(_ a: Point, _ b: Point) -> Bool {
        a.measurement == b.measurement && a.tags == b.tags && a.timestamp == b.timestamp
            && a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value.isIdentical(to: $1.value) }
    }

    // MARK: - Valid input


    static let validCases: [LineProtocolValidCase] = [
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


    static let invalidCases: [LineProtocolInvalidCase] = [
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


    static let fuzzSeeds: [String] = [
        "robot,device_id=robot-0000,fleet=fleet-north,model=tx9 battery=68.50,temperature=36.04,x=118.766,status=0i,charging=false 1704067200000000000",
        #"my\ measurement,tag\ key=tag\,value,k\=1=v field\ key="a \"quoted\" \\ string",u=12u,b=T -5"#,
        "m s=\"multi\nline\",f=1.e+78,g=-.5E-3 1\n# comment\n\r\nm2,a=1 v=1",
        "mé,tâg=välue fïeld=\"ünï 日本\",i=-9223372036854775808i 9223372036854775807",
    ]

    /// The bytes mutations draw from: the syntax bytes plus a few awkward ones.
    static let interestingBytes = Array(" ,=\\\"\n\r\t#-.eEiu0123456789tfTF".utf8) + [0x00, 0x80, 0xC3, 0xED, 0xFF]

    /// Writes a point the way a client library would.
    /// `seed` with one to four random edits: a byte replaced, inserted or removed, or a run of up
    /// to eight bytes repeated in place.
    static func mutated(_ seed: String, rng: inout SplitMix64) -> [UInt8] {
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

    static func serialize(_ point: Point, withTimestamp: Bool, rng: inout SplitMix64) -> String {
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

    static let nameCharacters: [Character] = Array("abcXYZ019_-.:/ ,=\"'#éß日本🙂")
    static let stringCharacters: [Character] = Array("abc XYZ 019,=\"\\'\n\r\téß日本🙂") + ["\r\n"]

    static func randomText(_ alphabet: [Character], _ length: ClosedRange<Int>, rng: inout SplitMix64) -> String {
        String((0..<Int.random(in: length, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    /// Identifiers cannot end in a backslash or start a comment; `LineProtocolEscaping` does not
    /// escape backslashes, so these names avoid them (string values do not).
    static func randomName(rng: inout SplitMix64, measurement: Bool = false) -> String {
        var name = randomText(nameCharacters, 1...8, rng: &rng)
        if measurement, name.first == "#" { name = "m" + name }
        return name
    }

    static func randomPoint(rng: inout SplitMix64) -> Point {
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
}
