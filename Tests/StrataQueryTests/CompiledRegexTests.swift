import Foundation
import StrataCore
import Testing
@testable import StrataQuery

/// InfluxQL regexes are Go's regexp (RE2 syntax, unanchored), run by RE2: what they match,
/// what they refuse and with which words (Go's, as InfluxDB reports them), and that matching
/// stays linear in the text for patterns that make a backtracking engine explode.
@Suite struct CompiledRegexTests {
    @Test(arguments: [
        // Unanchored partial match, and the anchors (`^`/`$` at the text's ends only).
        ("a", "cat", true),
        ("dog", "cat", false),
        ("^c", "cat", true),
        ("^a", "cat", false),
        ("t$", "cat", true),
        ("a$", "cat", false),
        ("^cat$", "cat", true),
        ("^ca$", "cat", false),
        ("^b", "a\nb", false),
        ("(?m)^b$", "a\nb", true),
        ("\\Acat\\z", "cat", true),
        // Classes.
        ("[0-9]+", "robot-0001", true),
        ("\\d{4}$", "robot-0001", true),
        ("\\d{5}", "robot-0001", false),
        ("^\\w+-\\d+$", "robot-0001", true),
        ("^[[:alpha:]]+$", "robot", true),
        ("^[^a-z]+$", "robot", false),
        ("\\bcpu\\b", "my cpu here", true),
        ("\\bcpu\\b", "mycpu", false),
        ("^(east|west)$", "west", true),
        ("^(east|west)$", "northwest", false),
        ("\\Q.*\\E", "a.*b", true),
        ("\\Q.*\\E", "ab", false),
        // `.` does not match a newline unless (?s); a negated class does (Go's defaults).
        ("a.b", "a\nb", false),
        ("(?s)a.b", "a\nb", true),
        ("a[^x]b", "a\nb", true),
        // Unicode: `.` is one code point, \p classes, case folding beyond ASCII.
        ("^.$", "é", true),
        ("^..$", "é", false),
        ("^\\p{Greek}+$", "λόγος", true),
        ("\\p{Han}", "robot", false),
        ("日本", "こんにちは日本", true),
        ("(?i)σ", "ΛΌΓΟΣ", true),
        // Case: sensitive by default, (?i) folds.
        ("ROBOT", "robot-0001", false),
        ("(?i)ROBOT-000[12]", "robot-0001", true),
        ("(?i)^Robot$", "rOBOT", true),
        // The empty pattern matches everything, the empty text included.
        ("", "", true),
        ("", "anything", true),
        ("^$", "", true),
        ("^$", "x", false),
        // NUL bytes in the text are ordinary characters, not an end.
        ("a\u{0}b", "xa\u{0}by", true),
        ("b$", "a\u{0}b", true),
        ("^a$", "a\u{0}", false),
        ("^a\\x00$", "a\u{0}", true),
    ] as [(String, String, Bool)])
    func matches(pattern: String, text: String, expected: Bool) throws {
        let re = try CompiledRegex(pattern)
        #expect(re.pattern == pattern)
        #expect(re.matches(text) == expected, "/\(pattern)/ on \(text.debugDescription)")
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { re.matches(utf8: $0) } == expected)
    }

    /// RE2 refuses what Go's regexp refuses, and the error is Go's text (regexp/syntax.Error),
    /// as InfluxDB 1.x returns it: `error parsing regexp: <reason>: `<fragment>``.
    @Test(arguments: [
        ("(abc", "missing closing ): `(abc`"),
        ("((a)", "missing closing ): `((a)`"),
        ("abc)", "unexpected ): `abc)`"),
        ("[abc", "missing closing ]: `[abc`"),
        ("abc\\", "trailing backslash at end of expression: ``"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("a++", "invalid nested repetition operator: `++`"),
        ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("a|*", "missing argument to repetition operator: `*`"),
        ("x{1001}", "invalid repeat count: `{1001}`"),
        ("x{2,1}", "invalid repeat count: `{2,1}`"),
        // Perl look-arounds and back-references: linear-time engines have neither.
        ("(?=x)", "invalid or unsupported Perl syntax: `(?=`"),
        ("a(?!x)", "invalid or unsupported Perl syntax: `(?!`"),
        ("(?<=x)y", "invalid or unsupported Perl syntax: `(?<`"),
        ("(?<!x)y", "invalid or unsupported Perl syntax: `(?<`"),
        ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
        ("(?z)", "invalid or unsupported Perl syntax: `(?z`"),
        ("(a)\\1", "invalid escape sequence: `\\1`"),
        ("\\k<n>", "invalid escape sequence: `\\k`"),
        ("\\Z", "invalid escape sequence: `\\Z`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
        ("\\pX", "invalid character class range: `\\pX`"),
        ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
        ("(?P<>a)", "invalid named capture: `(?P<>`"),
        // Beyond the 8 MiB memory budget of one compiled regex (UTF-8 makes \pL large).
        ("\\pL{1000}", "expression too large: `\\pL{1000}`"),
    ] as [(String, String)])
    func refuses(pattern: String, reason: String) {
        #expect(throws: QueryError("error parsing regexp: " + reason)) { try CompiledRegex(pattern) }
    }

    /// `(a+)+$` backtracks exponentially in NSRegularExpression (~8 s on 34 characters); RE2
    /// answers in one pass.
    @Test func catastrophicPatternIsLinear() throws {
        let re = try CompiledRegex("(a+)+$")
        let run = String(repeating: "a", count: 100_000)
        #expect(!re.matches(run + "!"))
        #expect(re.matches(run))
        #expect(try !CompiledRegex("^(a|aa)+$").matches(run + "!"))
        #expect(try !CompiledRegex("(x+x+)+y").matches(String(repeating: "x", count: 100_000)))
    }

    /// One compiled regex is shared by every worker of a query and every publisher of a live
    /// subscription: matching concurrently gives the same answers.
    @Test func matchesConcurrently() throws {
        let re = try CompiledRegex("^robot-(0001|0003)$")
        let texts = (0..<64).map { String(format: "robot-%04d", $0 % 5) }
        let expected = texts.map { $0.hasSuffix("1") || $0.hasSuffix("3") }
        let answers = UnsafeMutableBufferPointer<Bool>.allocate(capacity: texts.count)
        defer { answers.deallocate() }
        let out = UncheckedBox(answers)
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            var ok = true
            for _ in 0..<200 where re.matches(texts[i]) != expected[i] { ok = false }
            out.value[i] = ok
        }
        #expect(answers.allSatisfy { $0 })
    }

    /// Through the executor: the pattern that froze the server answers at once over long tag
    /// values, in WHERE (index predicate and row filter), GROUP BY /re/ and SHOW TAG VALUES.
    @Test(arguments: [false, true])
    func catastrophicPatternInQueries(flushed: Bool) async throws {
        let long = String(repeating: "a", count: 5_000)
        let lines = """
            m,t=\(long)! v=1 0
            m,t=\(long) v=2 10
            m,t=b\(long) v=3 20
            m,t=zzz v=40 30
            """
        let engine = try await ExecutorFixture.engine(lines: lines, flushed: flushed)
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
        func run(_ q: String) async throws -> StatementResult {
            let results = try await executor.execute(q, database: "test", now: ExecutorFixture.t0 + 3_600_000_000_000)
            #expect(results.count == 1)
            return results[0]
        }
        // Tag values ending in a run of a's: the second and third series.
        let sum = try await run("SELECT sum(v) FROM m WHERE t =~ /(a+)+$/")
        #expect(ExecutorFixture.render(sum) == "m{} time,sum\nepoch 5")
        let notSum = try await run("SELECT sum(v) FROM m WHERE t !~ /(a+)+$/")
        #expect(ExecutorFixture.render(notSum) == "m{} time,sum\nepoch 41")
        // A regex ORed with a field condition is checked row by row (RowEvaluator).
        let rows = try await run("SELECT v FROM m WHERE t =~ /(a+)+$/ OR v > 3")
        #expect(ExecutorFixture.render(rows) == "m{} time,v\n10s 2\n20s 3\n30s 40")
        let grouped = try await run("SELECT count(v) FROM m WHERE t =~ /^(a+)+$/ GROUP BY /^(t+)+$/")
        #expect(grouped.series.map { $0.tags["t"] } == [long])
        let values = try await run("SHOW TAG VALUES FROM m WITH KEY =~ /^(t+)+$/ WHERE t =~ /^b(a+)+$/")
        #expect(values.series.first?.values == [[.string("t"), .string("b" + long)]])
        try await engine.close()
    }

    /// A pattern RE2 refuses fails the whole text when it is parsed (HTTP 400), as InfluxDB's
    /// parser compiles each regex: Go's words at the regex's position, and nothing runs.
    @Test(arguments: [
        ("SELECT value FROM cpu WHERE host =~ /(?=a)/; SELECT count(value) FROM cpu",
         "error parsing regexp: invalid or unsupported Perl syntax: `(?=` at line 1, char "),
        ("SELECT count(value) FROM cpu; SHOW TAG VALUES FROM cpu WITH KEY =~ /[h/",
         "error parsing regexp: missing closing ]: `[h` at line 1, char "),
        ("SELECT value FROM /(a/", "error parsing regexp: missing closing ): `(a` at line 1, char "),
    ])
    func refusedPatternFailsTheWholeText(_ text: String, _ prefix: String) throws {
        #expect {
            _ = try QueryParser.parse(text)
        } throws: { error in
            "\(error)".hasPrefix("error parsing query: " + prefix)
        }
    }

    /// A bound regex (`params`) is checked the same way.
    @Test func refusedBoundPatternFailsTheWholeText() throws {
        #expect {
            _ = try QueryParser.parse("SELECT value FROM cpu WHERE host =~ $re", parameters: ["re": .regex("(?=a)")])
        } throws: { error in
            "\(error)".hasPrefix("error parsing query: error parsing regexp: invalid or unsupported Perl syntax: `(?=`")
        }
    }
}

/// Hands a buffer to concurrentPerform's workers, which write disjoint elements.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
