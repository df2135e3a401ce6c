import StrataTestSupport
import Testing
@testable import StrataQuery

private let vocabulary = [
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "SHOW", "TAG",
    "KEYS", "VALUES", "WITH", "KEY", "MEASUREMENTS", "MEASUREMENT", "SERIES", "FIELD", "DATABASES", "CREATE",
    "DATABASE", "DROP", "DELETE", "EXPLAIN", "ANALYZE", "ON", "AS", "AND", "OR", "IN", "DISTINCT", "INTO",
    "time", "fill", "tz", "now", "mean", "cpu", "host", "db", "rp", "\"q d\"", "'s'", "'unterminated", "\"open",
    "1", "-1", "1.5", ".5", "1e3", "10s", "1h30m", "1y", "9999999999999999999999", "true", "false",
    "/re/", "/", "/*", "*/", "--", "*", "::", ":", ".", "..", ",", ";", "(", ")", "(", ")", "+", "-", "%", "&",
    "|", "^", "=", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~", "!", "\\", "\n", "µ", "#", "é", "\t",
]

private let seeds = [
    "SELECT mean(value) AS m FROM db.rp.cpu, /m.*/ WHERE host =~ /a/ AND time > now() - 1h GROUP BY time(1h,-15m), host fill(-1) ORDER BY time DESC LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4",
    "SELECT max(x) FROM (SELECT mean(v) AS x FROM m GROUP BY time(1m)) WHERE \"a b\" = 'c\\'d'",
    "SHOW TAG VALUES ON db FROM cpu WITH KEY IN (a, b) WHERE x = 'y' LIMIT 1",
    "SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /c/ WHERE a = 'b' LIMIT 1 OFFSET 1",
    "DROP SERIES FROM cpu WHERE host = 'a'; DELETE FROM m WHERE time < '2020-01-01'",
    "EXPLAIN ANALYZE SELECT count(distinct(host)) FROM db..m GROUP BY *",
]

@Suite struct ParserFuzzTests {
    /// Whatever the input, parsing ends with statements or a QueryParseError: no trap, no hang.
    @Test func randomTokenSoupNeverCrashes() {
        var rng = SplitMix64(seed: 0x5EED_1234)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...14, using: &rng)
            var text = ""
            for _ in 0..<count {
                text += vocabulary.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) != 0 { text += " " }
            }
            checkParses(text)
        }
    }

    @Test func truncatedAndMutatedQueriesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        for seed in seeds {
            let scalars = Array(seed.unicodeScalars)
            for end in 0...scalars.count {
                checkParses(String(String.UnicodeScalarView(scalars[0..<end])))
            }
            for _ in 0..<300 {
                var mutated = scalars
                let index = Int.random(in: 0..<mutated.count, using: &rng)
                let replacement = vocabulary.randomElement(using: &rng)!.unicodeScalars
                mutated.replaceSubrange(index..<min(mutated.count, index + Int.random(in: 0...3, using: &rng)),
                                        with: replacement)
                checkParses(String(String.UnicodeScalarView(mutated)))
            }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = "SELECT " + String(repeating: "(", count: 100_000) + " FROM m"
        #expect(throws: QueryParseError.self) { try QueryParser.parse(deep) }
        let subqueries = "SELECT a FROM " + String(repeating: "(SELECT a FROM ", count: 5_000) + "m"
        #expect(throws: QueryParseError.self) { try QueryParser.parse(subqueries) }
    }

    private func checkParses(_ text: String) {
        do {
            let statements = try QueryParser.parse(text)
            #expect(!statements.isEmpty, "parsed \(text.debugDescription) into nothing")
        } catch {
            #expect(!error.message.isEmpty, "empty message for \(text.debugDescription)")
        }
    }
}
