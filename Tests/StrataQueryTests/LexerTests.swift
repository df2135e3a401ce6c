import StrataCore
import Testing
@testable import StrataQuery

private func tokens(_ text: String) -> [Token] {
    var lexer = Lexer(text)
    var result: [Token] = []
    while true {
        let token = lexer.next()
        result.append(token)
        if token.isEOF { return result }
    }
}

@Suite struct LexerTests {
    @Test func lexerReportsKindsTextAndPositions() {
        let scanned = tokens("SELECT \"a b\",x1\n  FROM 'it\\'s' <> 1.5 10s .5 >= =~ !~ :: ;")
        let summary = scanned.map { "\($0.kind.name):\($0.text)@\($0.line):\($0.char)" }
        #expect(summary == [
            "SELECT:@1:1", "IDENT:a b@1:8", ",:@1:13", "IDENT:x1@1:14",
            "FROM:@2:3", "STRING:it's@2:7", "!=:@2:16", "NUMBER:1.5@2:19", "DURATIONVAL:10s@2:23",
            "NUMBER:0.5@2:27", ">=:@2:30", "=~:@2:33", "!~:@2:36", ":::@2:39", ";:@2:42", "EOF:@2:43",
        ])
    }

    @Test func lexerKeywordsAreCaseInsensitiveAndQuotedNamesNeverKeywords() {
        let scanned = tokens("select Select \"select\" and OR true FALSE")
        #expect(scanned.map(\.kind) == [.keyword(.select), .keyword(.select), .ident, .and, .or, .trueLiteral, .falseLiteral, .eof])
    }

    @Test func lexerCountsTheEndOnceMoreAfterAWordOrWhitespace() {
        // InfluxDB's reader quirk, visible in its error positions.
        #expect(tokens("a").last?.char == 3)
        #expect(tokens("a ").last?.char == 4)
        #expect(tokens("1").last?.char == 2)
        #expect(tokens("'a'").last?.char == 4)
        #expect(tokens("a -- note").last?.char == 11)
    }

    @Test func lexerScansRegexOnlyWhenAsked() {
        var lexer = Lexer(" /a\\/b\\d/ x")
        let regex = lexer.scanRegex()
        #expect(regex?.kind == .regex)
        #expect(regex?.text == "a/b\\d")
        #expect(lexer.next().text == "x")

        var division = Lexer("/ 2")
        #expect(division.next().kind == .div)

        var none = Lexer(" x")
        #expect(none.scanRegex() == nil)
        let x = none.next()
        #expect(x.text == "x" && x.spaceBefore)
    }

    @Test func lexerMarksBadStringsAndEscapes() {
        #expect(tokens("'abc").first?.kind == .badString)
        #expect(tokens("'a\nb'").first?.kind == .badString)
        let bad = tokens("'a\\qb'").first
        #expect(bad?.kind == .badEscape)
        #expect(bad?.text == "\\q")
        #expect(bad?.char == 4)
        #expect(tokens("/* never closed").first?.kind == .illegal)
        // InfluxDB places strings on the character before the quote.
        #expect(tokens("'a'").first?.char == 1)
        #expect(tokens("x\n'a'").first { $0.kind == .string }.map { [$0.line, $0.char] } == [1, 2])
        #expect(tokens("x  'a'").first { $0.kind == .string }?.char == 3)
        #expect(tokens("#").first?.text == "#")
    }

    @Test func lexerDurationsAndNumbers() {
        #expect(tokens("1h30m").first?.kind == .duration)
        #expect(tokens("1µ").first?.text == "1µ")
        #expect(tokens("1e3").first?.kind == .number)
        #expect(tokens("1e").first?.kind == .duration)
        #expect(tokens("42").first?.kind == .integer)
    }

    @Test func durationLiteralParsing() throws {
        #expect(try DurationText.parse("1h30m", .influxQL).get() == 5_400_000_000_000)
        #expect(try DurationText.parse("1ns", .influxQL).get() == 1)
        #expect(try DurationText.parse("3u", .influxQL).get() == 3_000)
        #expect(try DurationText.parse("2ms", .influxQL).get() == 2_000_000)
        #expect(throws: DurationText.Failure.invalid) { try DurationText.parse("1y", .influxQL).get() }
        #expect(throws: DurationText.Failure.invalid) { try DurationText.parse("1n", .influxQL).get() }
        #expect(throws: DurationText.Failure.overflow("99999999999999w")) {
            try DurationText.parse("99999999999999w", .influxQL).get()
        }
    }
}
