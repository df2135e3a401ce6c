import StrataTestSupport
import Testing
@testable import StrataQuery

/// Bound parameters (`$name`) are tokens the parser swaps for their values: a value must come
/// out as exactly one literal or name holding it, whatever characters it has, and must never
/// change anything else in the statement.

/// A query with `$name`s, its parameters, and the text it must parse the same as.
struct BoundCase: Sendable, CustomTestStringConvertible {
    var query: String
    var parameters: [String: BoundParameter]
    var literal: String
    init(_ query: String, _ parameters: [String: BoundParameter], _ literal: String) {
        self.query = query
        self.parameters = parameters
        self.literal = literal
    }
    var testDescription: String { query }
}

/// A query with `$p` in one position, the parameter to bind there, and the statement with the
/// value put straight into the AST, for values the literal text may not be able to spell.
struct BoundSlot<Value: Sendable>: Sendable, CustomTestStringConvertible {
    var query: String
    var bind: @Sendable (Value) -> BoundParameter
    var expected: @Sendable (Value) -> Statement
    var testDescription: String { query }
}

/// Every slot also binds `$q` to this elsewhere in the statement, so a value that leaks out of
/// its token would show up as a changed neighbour.
let neighbour = "eu' OR x = '1"
let neighbourCondition = bin(.equal, v("region"), .string(neighbour))

private let equivalentCases: [BoundCase] = [
    // Strings
    BoundCase("SELECT v FROM m WHERE host = $h AND time > $t", ["h": .string("robot-1"), "t": .string("2024-01-01T00:00:00Z")],
              "SELECT v FROM m WHERE host = 'robot-1' AND time > '2024-01-01T00:00:00Z'"),
    BoundCase("SELECT $s, top(v, $s, 3) FROM m", ["s": .string("it's")], #"SELECT 'it\'s', top(v, 'it\'s', 3) FROM m"#),
    BoundCase(#"SELECT v FROM m WHERE s = $"x y""#, ["x y": .string("a")], "SELECT v FROM m WHERE s = 'a'"),
    BoundCase(#"SELECT v FROM m WHERE s = $"a\"b\\c""#, [#"a"b\c"#: .string("a")], "SELECT v FROM m WHERE s = 'a'"),
    // Integers, in expressions and where the grammar takes a bare integer
    BoundCase("SELECT v FROM m WHERE b > $b AND i = $i AND j = $max AND k = $min",
              ["b": .integer(92), "i": .integer(-7), "max": .integer(.max), "min": .integer(.min)],
              "SELECT v FROM m WHERE b > 92 AND i = -7 AND j = 9223372036854775807 AND k = -9223372036854775808"),
    BoundCase("SELECT a - $i, -$i, +$i, percentile(v, $p) FROM m", ["i": .integer(-7), "p": .integer(95)],
              "SELECT a - -7, 7, -7, percentile(v, 95) FROM m"),
    BoundCase("SELECT mean(v) FROM m GROUP BY time(1m) fill($i)", ["i": .integer(-1)],
              "SELECT mean(v) FROM m GROUP BY time(1m) fill(-1)"),
    BoundCase("SELECT v FROM m LIMIT $l OFFSET $o SLIMIT $sl SOFFSET $so",
              ["l": .integer(10), "o": .integer(0), "sl": .integer(3), "so": .integer(4)],
              "SELECT v FROM m LIMIT 10 OFFSET 0 SLIMIT 3 SOFFSET 4"),
    BoundCase("SHOW MEASUREMENTS LIMIT $l OFFSET $o", ["l": .integer(5), "o": .integer(6)], "SHOW MEASUREMENTS LIMIT 5 OFFSET 6"),
    BoundCase("SHOW TAG VALUES WITH KEY = host LIMIT $l", ["l": .integer(5)], "SHOW TAG VALUES WITH KEY = host LIMIT 5"),
    // Floats
    BoundCase("SELECT v * $f FROM m WHERE v > $g AND w < $h", ["f": .float(1.5), "g": .float(-2.5), "h": .float(1e-7)],
              "SELECT v * 1.5 FROM m WHERE v > -2.5 AND w < 0.0000001"),
    BoundCase("SELECT mean(v) FROM m GROUP BY time(1m) fill($f)", ["f": .float(-0.5)],
              "SELECT mean(v) FROM m GROUP BY time(1m) fill(-0.5)"),
    // Booleans
    BoundCase("SELECT v FROM m WHERE ok = $t AND bad = $f", ["t": .boolean(true), "f": .boolean(false)],
              "SELECT v FROM m WHERE ok = true AND bad = false"),
    // Identifiers: fields, tags, measurements, qualified names, aliases, casts, databases
    BoundCase("SELECT $f, mean($f) AS $a FROM $m WHERE $t = 'x' GROUP BY $t",
              ["f": .identifier("battery"), "a": .identifier("avg"), "m": .identifier("robot"), "t": .identifier("device id")],
              #"SELECT battery, mean(battery) AS avg FROM robot WHERE "device id" = 'x' GROUP BY "device id""#),
    BoundCase("SELECT $f::field, $t::tag FROM $db.$rp.$m, $db..$m, $rp.$m",
              ["f": .identifier("v"), "t": .identifier("host"), "db": .identifier("my db"), "rp": .identifier("autogen"),
               "m": .identifier("cpu")],
              #"SELECT v::field, host::tag FROM "my db".autogen.cpu, "my db"..cpu, autogen.cpu"#),
    BoundCase("SELECT $k FROM $k", ["k": .identifier("select")], #"SELECT "select" FROM "select""#),
    BoundCase("SELECT $fn(v) FROM m", ["fn": .identifier("max")], "SELECT max(v) FROM m"),
    BoundCase("SELECT v FROM m ORDER BY $t DESC", ["t": .identifier("time")], "SELECT v FROM m ORDER BY time DESC"),
    BoundCase("SHOW TAG VALUES ON $db FROM $m WITH KEY = $k", ["db": .identifier("d"), "m": .identifier("m"), "k": .identifier("host")],
              "SHOW TAG VALUES ON d FROM m WITH KEY = host"),
    BoundCase("SHOW TAG VALUES WITH KEY IN ($a, $b)", ["a": .identifier("host"), "b": .identifier("a b")],
              #"SHOW TAG VALUES WITH KEY IN (host, "a b")"#),
    BoundCase("SHOW MEASUREMENTS ON $db WITH MEASUREMENT = $m", ["db": .identifier("d"), "m": .identifier("cpu")],
              "SHOW MEASUREMENTS ON d WITH MEASUREMENT = cpu"),
    BoundCase("SHOW SERIES ON $db FROM $m; SHOW TAG KEYS ON $db; SHOW FIELD KEYS FROM $m; SHOW RETENTION POLICIES ON $db",
              ["db": .identifier("d"), "m": .identifier("cpu")],
              "SHOW SERIES ON d FROM cpu; SHOW TAG KEYS ON d; SHOW FIELD KEYS FROM cpu; SHOW RETENTION POLICIES ON d"),
    BoundCase("CREATE DATABASE $db; DROP SERIES FROM $m WHERE $t = 'a'; DELETE FROM $m",
              ["db": .identifier("d"), "m": .identifier("cpu"), "t": .identifier("host")],
              "CREATE DATABASE d; DROP SERIES FROM cpu WHERE host = 'a'; DELETE FROM cpu"),
    // Regexes: everywhere the grammar takes one
    BoundCase("SELECT $r, count($r) FROM $r, $rp.$r, $db.$rp.$r, $db..$r WHERE a =~ $r AND b !~ $r GROUP BY $r",
              ["r": .regex("^c.*"), "rp": .identifier("rp"), "db": .identifier("db")],
              "SELECT /^c.*/, count(/^c.*/) FROM /^c.*/, rp./^c.*/, db.rp./^c.*/, db../^c.*/ WHERE a =~ /^c.*/ AND b !~ /^c.*/ GROUP BY /^c.*/"),
    BoundCase("SHOW TAG VALUES FROM $r WITH KEY =~ $r; SHOW TAG VALUES WITH KEY !~ $r", ["r": .regex("h")],
              "SHOW TAG VALUES FROM /h/ WITH KEY =~ /h/; SHOW TAG VALUES WITH KEY !~ /h/"),
    BoundCase("SHOW MEASUREMENTS WITH MEASUREMENT =~ $r; SHOW SERIES FROM $r; DROP SERIES FROM $r; DELETE FROM $r",
              ["r": .regex("c")],
              "SHOW MEASUREMENTS WITH MEASUREMENT =~ /c/; SHOW SERIES FROM /c/; DROP SERIES FROM /c/; DELETE FROM /c/"),
    BoundCase("SELECT v FROM m WHERE a =~ $r", ["r": .regex("a/b")], #"SELECT v FROM m WHERE a =~ /a\/b/"#),
    // Durations: expressions, GROUP BY time(), retention policies
    BoundCase("SELECT v FROM m WHERE time > now() - $d AND x < -$d", ["d": .duration(90 * minute)],
              "SELECT v FROM m WHERE time > now() - 1h30m AND x < -1h30m"),
    BoundCase("SELECT mean(v) FROM m GROUP BY time($i, $o)", ["i": .duration(hour), "o": .duration(-15 * minute)],
              "SELECT mean(v) FROM m GROUP BY time(1h, -15m)"),
    BoundCase("CREATE RETENTION POLICY $rp ON $db DURATION $d REPLICATION $n SHARD DURATION $s DEFAULT ROLLUP $r",
              ["rp": .identifier("week"), "db": .identifier("d"), "d": .duration(week), "n": .integer(1),
               "s": .duration(day), "r": .duration(minute)],
              "CREATE RETENTION POLICY week ON d DURATION 1w REPLICATION 1 SHARD DURATION 1d DEFAULT ROLLUP 1m"),
    BoundCase("ALTER RETENTION POLICY $rp ON $db DURATION $d SHARD DURATION $s; DROP RETENTION POLICY $rp ON $db",
              ["rp": .identifier("week"), "db": .identifier("d"), "d": .duration(0), "s": .duration(hour)],
              "ALTER RETENTION POLICY week ON d DURATION 0s SHARD DURATION 1h; DROP RETENTION POLICY week ON d"),
    // Unused parameters change nothing; `$` where it is not a parameter stays text
    BoundCase("SELECT v FROM m", ["unused": .string("x")], "SELECT v FROM m"),
    BoundCase(#"SELECT "$f" FROM /m$/ WHERE s = '$s' AND t =~ /a$r/ -- $c"#,
              ["f": .identifier("no"), "s": .string("no"), "r": .regex("no"), "c": .string("no")],
              #"SELECT "$f" FROM /m$/ WHERE s = '$s' AND t =~ /a$r/"#),
    BoundCase("SELECT v /* $c */ FROM m WHERE x = $n", ["c": .string("no"), "n": .integer(1)], "SELECT v FROM m WHERE x = 1"),
]

/// Values that break out of a literal if pasted into the text.
let hostileValues = [
    "') OR 1=1 --", #"a\"#, #"\"#, "a/ OR x =~ /b", #"x" ; DROP SERIES FROM "y"#, "'", "\"", "/", "//", "--", "-- c",
    "/* c", "*/", ";", "; DROP SERIES FROM m", "a\nb", "\n", "\r\n", "\r", "\0", "a\0b", "é🦀\u{2028}\u{FEFF}",
    "$q", #"$"q""#, "$", " ", #"\'"#, #"\""#, #"\/"#, #"\n"#, "/re/", "SELECT", "true", "1h", "-1", "a.b", "$q AND 1=1",
]

let stringSlots: [BoundSlot<String>] = [
    BoundSlot(query: "SELECT v FROM m WHERE host = $p AND region = $q", bind: { .string($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")], where: bin(.and, bin(.equal, v("host"), .string($0)), neighbourCondition))) }),
    BoundSlot(query: "SELECT $p, v FROM m WHERE region = $q", bind: { .string($0) },
              expected: { .select(select([f(.string($0)), f(v("v"))], from: [m("m")], where: neighbourCondition)) }),
    BoundSlot(query: "DELETE FROM m WHERE time < $p AND region = $q", bind: { .string($0) },
              expected: { .delete(DeleteStatement(sources: [ref("m")], condition: bin(.and, bin(.less, v("time"), .string($0)), neighbourCondition))) }),
]

let regexSlots: [BoundSlot<String>] = [
    BoundSlot(query: "SELECT v FROM m WHERE host =~ $p AND region = $q", bind: { .regex($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")], where: bin(.and, bin(.matches, v("host"), .regex($0)), neighbourCondition))) }),
    BoundSlot(query: "SELECT v FROM m WHERE host !~ $p AND region = $q", bind: { .regex($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")], where: bin(.and, bin(.notMatches, v("host"), .regex($0)), neighbourCondition))) }),
    BoundSlot(query: "SELECT v FROM $p WHERE region = $q", bind: { .regex($0) },
              expected: { .select(select([f(v("v"))], from: [.measurement(MeasurementRef(regex: $0))], where: neighbourCondition)) }),
    BoundSlot(query: "SELECT v FROM db.rp.$p, rp.$p WHERE region = $q", bind: { .regex($0) },
              expected: { .select(select([f(v("v"))], from: [.measurement(MeasurementRef(database: "db", retentionPolicy: "rp", regex: $0)),
                                                               .measurement(MeasurementRef(retentionPolicy: "rp", regex: $0))],
                                         where: neighbourCondition)) }),
    BoundSlot(query: "SELECT $p, count($p) FROM m WHERE region = $q GROUP BY $p LIMIT 1", bind: { .regex($0) },
              expected: { .select(select([f(.regex($0)), f(call("count", .regex($0)))], from: [m("m")], where: neighbourCondition,
                                         groupBy: [.regex($0)], limit: 1)) }),
    BoundSlot(query: "SHOW TAG VALUES FROM m WITH KEY =~ $p WHERE region = $q LIMIT 2", bind: { .regex($0) },
              expected: { .showTagValues(ShowTagValues(sources: [ref("m")], key: .matches($0), condition: neighbourCondition, limit: 2)) }),
    BoundSlot(query: "SHOW MEASUREMENTS WITH MEASUREMENT =~ $p WHERE region = $q LIMIT 1", bind: { .regex($0) },
              expected: { .showMeasurements(ShowMeasurements(source: MeasurementRef(regex: $0), condition: neighbourCondition, limit: 1)) }),
    BoundSlot(query: "DROP SERIES FROM $p WHERE region = $q", bind: { .regex($0) },
              expected: { .dropSeries(DropSeries(sources: [MeasurementRef(regex: $0)], condition: neighbourCondition)) }),
]

let identifierSlots: [BoundSlot<String>] = [
    BoundSlot(query: "SELECT $p FROM m WHERE region = $q", bind: { .identifier($0) },
              expected: { .select(select([f(v($0))], from: [m("m")], where: neighbourCondition)) }),
    BoundSlot(query: "SELECT mean(v) AS $p FROM $p WHERE $p = 'a' AND region = $q GROUP BY $p", bind: { .identifier($0) },
              expected: { .select(select([f(call("mean", v("v")), as: $0)], from: [m($0)],
                                         where: bin(.and, bin(.equal, v($0), .string("a")), neighbourCondition), groupBy: [.tag($0)])) }),
    BoundSlot(query: "SELECT v FROM db.$p.$p WHERE region = $q", bind: { .identifier($0) },
              expected: { .select(select([f(v("v"))], from: [.measurement(MeasurementRef(database: "db", retentionPolicy: $0, name: $0))],
                                         where: neighbourCondition)) }),
    BoundSlot(query: "SHOW TAG VALUES ON $p WITH KEY = $p WHERE region = $q", bind: { .identifier($0) },
              expected: { .showTagValues(ShowTagValues(database: $0, key: .equal($0), condition: neighbourCondition)) }),
    BoundSlot(query: "SHOW MEASUREMENTS WITH MEASUREMENT = $p WHERE region = $q", bind: { .identifier($0) },
              expected: { .showMeasurements(ShowMeasurements(source: ref($0), condition: neighbourCondition)) }),
    BoundSlot(query: "CREATE DATABASE $p", bind: { .identifier($0) }, expected: { .createDatabase($0) }),
    BoundSlot(query: "DROP RETENTION POLICY $p ON $p", bind: { .identifier($0) },
              expected: { .dropRetentionPolicy(name: $0, database: $0) }),
]

let integerSlots: [BoundSlot<Int64>] = [
    BoundSlot(query: "SELECT v FROM m WHERE i = $p AND region = $q", bind: { .integer($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")], where: bin(.and, bin(.equal, v("i"), .integer($0)), neighbourCondition))) }),
    BoundSlot(query: "SELECT mean(v) FROM m WHERE region = $q GROUP BY time(1m) fill($p)", bind: { .integer($0) },
              expected: { .select(select([f(call("mean", v("v")))], from: [m("m")], where: neighbourCondition,
                                         groupBy: [.time(interval: minute, offset: 0)], fill: .integer($0))) }),
]

let floatSlots: [BoundSlot<Double>] = [
    BoundSlot(query: "SELECT v FROM m WHERE x > $p AND region = $q", bind: { .float($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")], where: bin(.and, bin(.greater, v("x"), .number($0)), neighbourCondition))) }),
]

let durationSlots: [BoundSlot<Int64>] = [
    BoundSlot(query: "SELECT v FROM m WHERE time > now() - $p AND region = $q", bind: { .duration($0) },
              expected: { .select(select([f(v("v"))], from: [m("m")],
                                         where: bin(.and, bin(.greater, v("time"), bin(.subtract, call("now"), .duration($0))), neighbourCondition))) }),
    BoundSlot(query: "SELECT mean(v) FROM m WHERE region = $q GROUP BY time($p, $p)", bind: { .duration($0) },
              expected: { .select(select([f(call("mean", v("v")))], from: [m("m")], where: neighbourCondition,
                                         groupBy: [.time(interval: $0, offset: $0)])) }),
]

func parseBound(_ query: String, _ p: BoundParameter) throws(QueryParseError) -> [Statement] {
    try QueryParser.parse(query, parameters: ["p": p, "q": .string(neighbour)])
}

private let missingCases: [ErrorCase] = [
    ErrorCase("SELECT $nope FROM m", "missing parameter: nope"),
    ErrorCase("SELECT v FROM $nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM rp.$nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM m WHERE a =~ $nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM m WHERE a = $nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM m GROUP BY $nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM m LIMIT $nope", "missing parameter: nope"),
    ErrorCase("SELECT v FROM m $nope", "missing parameter: nope"),
    ErrorCase(#"SELECT v FROM m WHERE a = $"no pe""#, "missing parameter: no pe"),
    ErrorCase("SHOW TAG VALUES WITH KEY = $nope", "missing parameter: nope"),
    ErrorCase("CREATE RETENTION POLICY r ON d DURATION $nope REPLICATION 1", "missing parameter: nope"),
    ErrorCase("$nope", "missing parameter: nope"),
]

/// Binding the wrong kind fails as the equivalent token would, at the `$name`.
private let wrongKindCases: [(BoundCase, String)] = [
    (BoundCase("SELECT v FROM m LIMIT $p", ["p": .string("10")], ""), "found 10, expected integer at line 1, char 23"),
    (BoundCase("SELECT v FROM m LIMIT $p", ["p": .float(1.5)], ""), "found 1.5, expected integer at line 1, char 23"),
    (BoundCase("SELECT v FROM m LIMIT $p", ["p": .integer(-1)], ""), "LIMIT must be >= 0 at line 1, char 23"),
    (BoundCase("SELECT v FROM m SOFFSET $p", ["p": .integer(-1)], ""), "SOFFSET must be >= 0 at line 1, char 25"),
    (BoundCase("SELECT v FROM m WHERE a =~ $p", ["p": .string("x")], ""), "found x, expected regex at line 1, char 28"),
    (BoundCase("SELECT v FROM m WHERE a = $p", ["p": .regex("x")], ""),
     "found x, expected identifier, string, number, bool at line 1, char 27"),
    (BoundCase("SELECT v FROM $p", ["p": .string("m")], ""), "found m, expected identifier at line 1, char 15"),
    (BoundCase("SELECT v FROM $p", ["p": .boolean(true)], ""), "found TRUE, expected identifier at line 1, char 15"),
    (BoundCase("SELECT -$p FROM m", ["p": .integer(.min)], ""), "unable to parse integer at line 1, char 9"),
    (BoundCase("CREATE RETENTION POLICY r ON d DURATION $p REPLICATION 1", ["p": .duration(-1)], ""),
     "invalid duration at line 1, char 41"),
    (BoundCase("CREATE RETENTION POLICY r ON d DURATION 1h REPLICATION $p", ["p": .integer(0)], ""),
     "invalid value 0: must be 1 <= n <= 2147483647 at line 1, char 56"),
    (BoundCase("SELECT v FROM m WHERE a = $ ", [:], ""), "found $, expected identifier, string, number, bool at line 1, char 27"),
]

@Suite struct BoundParameterTests {
    @Test(arguments: equivalentCases)
    func boundQueryParsesLikeTheLiteralText(_ c: BoundCase) throws {
        let bound = try QueryParser.parse(c.query, parameters: c.parameters)
        let literal = try QueryParser.parse(c.literal)
        #expect(bound == literal)
    }

    @Test(arguments: stringSlots, hostileValues)
    func hostileStringIsOneStringLiteral(_ slot: BoundSlot<String>, _ value: String) throws {
        #expect(try parseBound(slot.query, slot.bind(value)) == [slot.expected(value)])
    }

    /// One regex, or, for a pattern RE2 refuses, Go's error for the whole text (as InfluxDB's
    /// parser compiles bound regexes too): never anything else.
    @Test(arguments: regexSlots, hostileValues)
    func hostileRegexIsOneRegex(_ slot: BoundSlot<String>, _ value: String) throws {
        try checkRegex(slot, value)
    }

    @Test(arguments: identifierSlots, hostileValues)
    func hostileIdentifierIsOneName(_ slot: BoundSlot<String>, _ value: String) throws {
        #expect(try parseBound(slot.query, slot.bind(value)) == [slot.expected(value)])
    }

    @Test(arguments: integerSlots, [0, 1, -1, -7, 92, Int64.max, Int64.min, Int64.min + 1])
    func integerKeepsItsValue(_ slot: BoundSlot<Int64>, _ value: Int64) throws {
        #expect(try parseBound(slot.query, slot.bind(value)) == [slot.expected(value)])
    }

    @Test(arguments: durationSlots, [0, 1, -1, hour, -15 * minute, Int64.max, Int64.min])
    func durationKeepsItsNanoseconds(_ slot: BoundSlot<Int64>, _ value: Int64) throws {
        #expect(try parseBound(slot.query, slot.bind(value)) == [slot.expected(value)])
    }

    /// The float goes through text (`Token.text`), so check it comes back bit for bit.
    @Test(arguments: [0.1, 1.5, -2.5, 0.0, -0.0, 5e-324, -2.2250738585072014e-308, 1e300, .greatestFiniteMagnitude,
                      123_456_789.123_456_789, 1 / 3, .infinity, -.infinity, .nan])
    func floatKeepsEveryBit(_ value: Double) throws {
        let statements = try QueryParser.parse("SELECT $p FROM m", parameters: ["p": .float(value)])
        guard case .select(let s) = statements.first, case .number(let parsed) = s.fields.first?.expr else {
            Issue.record("no number in \(statements)")
            return
        }
        #expect(parsed.bitPattern == value.bitPattern || (parsed.isNaN && value.isNaN))
        #expect(try parseBound(floatSlots[0].query, .float(value)).count == 1)
    }

    @Test func boundNameIsNeverRescannedForTheBoundValue() throws {
        // `$q` inside a value is the value's text, not the parameter q.
        let statements = try QueryParser.parse("SELECT v FROM m WHERE a = $p AND b =~ $r",
                                               parameters: ["p": .string("$q"), "r": .regex("$q"), "q": .string("leak")])
        #expect(statements == [.select(select([f(v("v"))], from: [m("m")],
                                              where: bin(.and, bin(.equal, v("a"), .string("$q")), bin(.matches, v("b"), .regex("$q")))))])
    }

    @Test(arguments: missingCases)
    func parameterWithoutValueIsMissing(_ c: ErrorCase) {
        #expect(throws: QueryParseError(c.message)) {
            try QueryParser.parse(c.query, parameters: ["other": .string("x")])
        }
    }

    @Test(arguments: wrongKindCases)
    func wrongKindFailsAtTheParameter(_ c: BoundCase, _ message: String) {
        #expect(throws: QueryParseError(message)) {
            try QueryParser.parse(c.query, parameters: c.parameters)
        }
    }

    @Test func lexerReadsParameterNamesWithTheirPositions() {
        var lexer = Lexer(#"a = $p1_x AND $"x \"y\"\\" $ $.5 '$s' "$i" $"open"#)
        var summary: [String] = []
        while true {
            let token = lexer.next()
            if token.isEOF { break }
            summary.append("\(token.kind.name):\(token.text)@\(token.char)")
        }
        #expect(summary == [
            "IDENT:a@1", "=:@3", #"BOUNDPARAM:p1_x@5"#, "AND:@11", #"BOUNDPARAM:x "y"\@15"#, "ILLEGAL:$@28",
            "ILLEGAL:$@30", "NUMBER:0.5@31", "STRING:$s@33", "IDENT:$i@39", "BADSTRING:open@44",
        ])
    }

    @Test func withoutParametersParseIsUnchanged() throws {
        #expect(try QueryParser.parse("SELECT v FROM m WHERE a = 'x'") == QueryParser.parse("SELECT v FROM m WHERE a = 'x'", parameters: [:]))
        #expect(throws: QueryParseError("missing parameter: p")) { try QueryParser.parse("SELECT $p FROM m") }
    }

    /// Random values of every kind from a hostile alphabet, each checked against the template
    /// statement with the value put into the AST directly.
    @Test func seededRandomValuesAreBoundExactly() throws {
        var rng = SplitMix64(seed: 0xB0D_5EED)
        let pieces = ["'", "\"", "\\", "/", "-", "--", "*", "/*", "*/", ";", "\n", "\r", "\t", "\0", "$", "$q", "$p", "(", ")",
                      "=~", " OR ", "x", "Z", "0", "é", "🦀", "\u{2028}", ".", ",", "::", "SELECT", "DROP", "true"]
        func text() -> String {
            (0..<Int.random(in: 1...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        }
        func int() -> Int64 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return [Int64.min, .max, 0, -1].randomElement(using: &rng)!
            case 1: return Int64.random(in: -1000...1000, using: &rng)
            default: return Int64(bitPattern: rng.next())
            }
        }
        for _ in 0..<2_000 {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: try check(stringSlots.randomElement(using: &rng)!, text())
            case 1: try checkRegex(regexSlots.randomElement(using: &rng)!, text())
            case 2: try check(identifierSlots.randomElement(using: &rng)!, text())
            case 3: try check(integerSlots.randomElement(using: &rng)!, int())
            case 4: try check(durationSlots.randomElement(using: &rng)!, int())
            case 5:
                var value = Double(bitPattern: rng.next())
                if value.isNaN { value = 0 }  // NaN equals nothing; floatKeepsEveryBit covers it
                try check(floatSlots[0], value)
            default:
                let value = Bool.random(using: &rng)
                let statements = try QueryParser.parse("SELECT v FROM m WHERE ok = $p", parameters: ["p": .boolean(value)])
                #expect(statements == [.select(select([f(v("v"))], from: [m("m")], where: bin(.equal, v("ok"), .boolean(value))))])
            }
        }
    }

    private func checkRegex(_ slot: BoundSlot<String>, _ value: String) throws {
        guard (try? CompiledRegex(value)) == nil else { return try check(slot, value) }
        #expect {
            _ = try parseBound(slot.query, slot.bind(value))
        } throws: { error in
            "\(error)".hasPrefix("error parsing query: error parsing regexp: ")
        }
    }

    private func check<Value>(_ slot: BoundSlot<Value>, _ value: Value) throws {
        let statements = try parseBound(slot.query, slot.bind(value))
        #expect(statements == [slot.expected(value)], "\(slot.query) with \(slot.bind(value))")
    }
}
