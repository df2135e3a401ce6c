import StrataCore
import StrataTestSupport
import Testing
@testable import StrataQuery

/// Query text built to exhaust the stack (issue 12, item 5): long operator chains, deep
/// parentheses, calls, signs and subqueries, huge tokens. Each must parse to a clear error or
/// to a shallow tree, and what parses must run, all on a 512 KiB stack (a secondary thread's,
/// the smallest a query may meet), in a debug build. docs/influxql.md, "Limits".
@Suite struct HostileQueryTextTests {
    static let smallStack = 512 << 10
    static let maxDepth = Parser.maximumExpressionDepth

    static func chain(_ term: String, _ op: String, _ count: Int) -> String {
        Array(repeating: term, count: count).joined(separator: op)
    }

    /// The 1-based character (line 1, ASCII) of the `n`th occurrence of `needle` in `text`.
    static func char(_ n: Int, of needle: String, in text: String) -> Int {
        let haystack = Array(text.utf8), target = Array(needle.utf8)
        var seen = 0
        for i in 0...(haystack.count - target.count) where haystack[i..<(i + target.count)].elementsEqual(target) {
            seen += 1
            if seen == n { return i + 1 }
        }
        preconditionFailure("fewer than \(n) \(needle)")
    }

    static func tooDeep(at char: Int) -> String {
        "expression is nested too deeply (more than \(maxDepth) levels) at line 1, char \(char)"
    }

    enum Outcome: Sendable, Equatable {
        /// Parsed; the deepest expression tree is at most this deep.
        case parses(maxDepth: Int)
        case error(String)
        case errorPrefix(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var outcome: Outcome
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        // The issue's table.
        let plus = "SELECT " + chain("v", "+", 20_000) + " FROM m"
        cases.append(Case(name: "20,000-term v+v+…+v", text: plus, outcome: .error(tooDeep(at: char(maxDepth, of: "+", in: plus)))))
        cases.append(Case(name: "50,000 × x OR", text: "SELECT * FROM m WHERE " + chain("x", " OR ", 50_001),
                          outcome: .parses(maxDepth: 17)))
        let seconds = "SELECT * FROM m WHERE time > now()" + String(repeating: " -1s", count: 100_000)
        cases.append(Case(name: "100,000 × -1s", text: seconds,
                          outcome: .error(tooDeep(at: char(maxDepth, of: "-", in: seconds)))))
        let unparsable = "SELECT * FROM m WHERE " + chain("a = 1", " AND ", 100_000) + " AND )"
        cases.append(Case(name: "100,000-term chain, unparsable at its end", text: unparsable,
                          outcome: .error("found ), expected identifier, string, number, bool at line 1, char \(unparsable.utf8.count)")))
        let dangling = "SELECT " + String(repeating: "v + ", count: 100_000) + "FROM m"
        cases.append(Case(name: "100,000 dangling +", text: dangling,
                          outcome: .error(tooDeep(at: char(maxDepth, of: "+", in: dangling)))))
        cases.append(Case(name: "100,000 (", text: "SELECT " + String(repeating: "(", count: 100_000) + " FROM m",
                          outcome: .error("expression is nested too deeply at line 1, char 208")))
        cases.append(Case(name: "100,000 - with spaces", text: "SELECT " + String(repeating: "- ", count: 100_000) + "1 FROM m",
                          outcome: .error("found -, expected identifier, number, duration, ( at line 1, char 10")))
        // `--` starts a comment: the rest of the line is gone.
        cases.append(Case(name: "100,000 -", text: "SELECT " + String(repeating: "-", count: 100_000) + "1 FROM m",
                          outcome: .errorPrefix("found EOF, expected identifier, string, number, bool")))
        cases.append(Case(name: "100,000 -(", text: "SELECT " + String(repeating: "-(", count: 100_000) + "1",
                          outcome: .error("expression is nested too deeply at line 1, char 208")))
        cases.append(Case(name: "100,000 nested calls", text: "SELECT " + String(repeating: "f(", count: 100_000) + "v",
                          outcome: .error("expression is nested too deeply at line 1, char 408")))
        let subqueries = "SELECT a FROM " + String(repeating: "(SELECT a FROM ", count: 100_000) + "m"
        cases.append(Case(name: "100,000 nested subqueries", text: subqueries, outcome: .error(
            "subqueries are nested too deeply (more than \(Parser.maximumSubqueryDepth) levels) at line 1, char \(char(Parser.maximumSubqueryDepth + 1, of: "(SELECT", in: subqueries) + 8)")))
        let identifier = String(repeating: "a", count: 1 << 20)
        cases.append(Case(name: "1 MiB identifier", text: "SELECT " + identifier + " FROM m", outcome: .parses(maxDepth: 1)))
        cases.append(Case(name: "1 MiB identifier, misplaced", text: "SELECT v " + identifier, outcome: .error(
            "found " + String(repeating: "a", count: Token.maximumDisplayLength) + "…, expected FROM at line 1, char 10")))
        // Other shapes.
        let mixed = "SELECT " + chain("a*b", "+", 100_000) + " FROM m"
        cases.append(Case(name: "100,000 a*b+…", text: mixed, outcome: .error(tooDeep(at: char(maxDepth - 1, of: "+", in: mixed)))))
        let comparisons = "SELECT * FROM m WHERE " + chain("a", " = ", 100_000)
        cases.append(Case(name: "100,000 a = a = …", text: comparisons,
                          outcome: .error(tooDeep(at: char(maxDepth, of: "=", in: comparisons)))))
        cases.append(Case(name: "100,000 ANDed tag values", text: "SELECT * FROM m WHERE " + chain("host = 'a'", " AND ", 100_000),
                          outcome: .parses(maxDepth: 19)))
        cases.append(Case(name: "OR of ANDs, 30,000 each", text: "SELECT * FROM m WHERE " + chain("(" + chain("a = 1", " AND ", 30_000) + ")", " OR ", 3),
                          outcome: .parses(maxDepth: 20)))
        // The limits exactly.
        cases.append(Case(name: "\(maxDepth) terms", text: "SELECT " + chain("v", " + ", maxDepth) + " FROM m",
                          outcome: .parses(maxDepth: maxDepth)))
        let over = "SELECT " + chain("v", " + ", maxDepth + 1) + " FROM m"
        cases.append(Case(name: "\(maxDepth + 1) terms", text: over, outcome: .error(tooDeep(at: char(maxDepth, of: "+", in: over)))))
        cases.append(Case(name: "\(maxDepth - 1) parentheses",
                          text: "SELECT " + String(repeating: "(", count: maxDepth - 1) + "v" + String(repeating: ")", count: maxDepth - 1) + " FROM m",
                          outcome: .parses(maxDepth: maxDepth)))
        cases.append(Case(name: "\(maxDepth) parentheses",
                          text: "SELECT " + String(repeating: "(", count: maxDepth) + "v" + String(repeating: ")", count: maxDepth) + " FROM m",
                          outcome: .error(tooDeep(at: 8))))
        cases.append(Case(name: "199 parentheses",
                          text: "SELECT " + String(repeating: "(", count: 199) + "v" + String(repeating: ")", count: 199) + " FROM m",
                          outcome: .error(tooDeep(at: 8 + 199 - maxDepth))))
        cases.append(Case(name: "-(…) at the limit",
                          text: "SELECT " + String(repeating: "-(", count: maxDepth / 2) + "v" + String(repeating: ")", count: maxDepth / 2) + " FROM m",
                          outcome: .error(tooDeep(at: 9))))
        cases.append(Case(name: "16-term OR chain", text: "SELECT * FROM m WHERE " + chain("x", " OR ", 16),
                          outcome: .parses(maxDepth: 16)))
        cases.append(Case(name: "17-term OR chain is balanced", text: "SELECT * FROM m WHERE " + chain("x", " OR ", 17),
                          outcome: .parses(maxDepth: 6)))
        return cases
    }()

    /// Parses (and frees) on a 512 KiB stack.
    @Test(arguments: cases)
    func parsesToAClearErrorOrAShallowTree(_ c: Case) async {
        let text = c.text
        let outcome = await StackProbe.run(stackBytes: Self.smallStack) { () -> Outcome in
            do throws(QueryParseError) {
                let statements = try QueryParser.parse(text)
                return .parses(maxDepth: statements.map(Self.depth).max() ?? 0)
            } catch {
                return .error(error.message)
            }
        }
        switch (c.outcome, outcome) {
        case (.parses(let expected), .parses(let depth)):
            #expect(depth == expected)
        case (.errorPrefix(let prefix), .error(let message)):
            #expect(message.hasPrefix(prefix), "\(message.prefix(300))")
        default:
            #expect(outcome == c.outcome)
        }
    }

    @Test func longChainsParseInLinearTime() {
        let clock = ContinuousClock()
        let started = clock.now
        for text in [Self.chain("x", " OR ", 100_000), Self.chain("a = 1", " AND ", 100_000), Self.chain("v", "+", 100_000)] {
            _ = try? QueryParser.parse("SELECT * FROM m WHERE " + text)
        }
        // ~0.6 s each in a debug build on one core; generous, for parallel tests on 2 cores,
        // yet far below what time quadratic in 100,000 terms would take.
        #expect(clock.now - started < .seconds(60))
    }

    // MARK: Shapes

    @Test func shortChainsKeepInfluxDBsLeftDeepShape() throws {
        let terms = (0..<16).map { Expr.varRef("t\($0)", nil) }
        let leftDeep = terms.dropFirst().reduce(terms[0]) { .binary(.or, $0, $1) }
        let parsed = try QueryParser.parse("SELECT * FROM m WHERE " + (0..<16).map { "t\($0)" }.joined(separator: " OR "))
        guard case .select(let s) = parsed[0] else { Issue.record("not a select"); return }
        #expect(s.condition == leftDeep)
        #expect(Expr.joined(terms, by: .or) == leftDeep)
    }

    @Test(arguments: [17, 100, 1_000, 65_537])
    func longAndOrChainsAreBalancedInOrder(count: Int) throws {
        for op in [BinaryOperator.and, .or] {
            let terms = (0..<count).map { Expr.varRef("t\($0)", nil) }
            let parsed = try QueryParser.parse("SELECT * FROM m WHERE " + (0..<count).map { "t\($0)" }.joined(separator: " \(op.rawValue) "))
            guard case .select(let s) = parsed[0], let condition = s.condition else { Issue.record("no condition"); return }
            #expect(condition == Expr.joined(terms, by: op))
            // ⌈log2 n⌉ levels of operators over the leaves.
            #expect(Self.depth(condition) == 1 + Int.bitWidth - (count - 1).leadingZeroBitCount)
            #expect(Self.leaves(condition, joinedBy: op) == terms)
        }
    }

    @Test func arithmeticChainsStayLeftDeep() throws {
        let parsed = try QueryParser.parse("SELECT a - b - c - d + e FROM m")
        guard case .select(let s) = parsed[0] else { Issue.record("not a select"); return }
        let a = Expr.varRef("a", nil), b = Expr.varRef("b", nil), c = Expr.varRef("c", nil)
        let d = Expr.varRef("d", nil), e = Expr.varRef("e", nil)
        #expect(s.fields[0].expr == .binary(.add, .binary(.subtract, .binary(.subtract, .binary(.subtract, a, b), c), d), e))
        #expect(Expr.joined((0..<40).map { .integer(Int64($0)) }, by: .add)
                == (1..<40).reduce(Expr.integer(0)) { .binary(.add, $0, .integer(Int64($1))) })
        #expect(Expr.joined([], by: .or) == nil)
    }

    // MARK: Running what parses

    static let oneRow = "m,host=a v=1.5 0"

    /// Runs `text` on a 512 KiB stack and renders the answer (ExecutorFixture.render).
    static func run(_ text: String, lines: String = ExecutorFixture.lines) async throws -> String {
        let engine = try await ExecutorFixture.engine(lines: lines, flushed: false)
        let (answer, _) = await SmallStackExecutor.run(stackBytes: smallStack) { () -> String in
            let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"))
            do {
                let results = try await executor.execute(text, database: "test", now: ExecutorFixture.t0 + 3_600_000_000_000)
                return results.map(ExecutorFixture.render).joined(separator: "\n")
            } catch {
                return "rejected: \(error)"
            }
        }
        return answer
    }

    @Test func aSumAtTheDepthLimitRuns() async throws {
        let sum = try await Self.run("SELECT " + Self.chain("v", "+", Self.maxDepth) + " AS s FROM m", lines: Self.oneRow)
        #expect(sum == "m{} time,s\n0s \(Int(1.5 * Double(Self.maxDepth)))")
        let over = try await Self.run("SELECT " + Self.chain("v", "+", Self.maxDepth + 1) + " AS s FROM m", lines: Self.oneRow)
        #expect(over.hasPrefix("rejected: error parsing query: expression is nested too deeply (more than 64 levels)"))
    }

    @Test func aggregatesAtTheDepthLimitRun() async throws {
        // mean(value) is 2 levels: 63 of them make a 64-level tree.
        let answer = try await Self.run("SELECT " + Self.chain("mean(value)", " + ", Self.maxDepth - 1) + " AS s FROM cpu")
        let lines = answer.split(separator: "\n")
        #expect(lines.first == "cpu{} time,s")
        let value = lines.count == 2 ? Double(lines[1].split(separator: " ")[1]) : nil
        #expect(value.map { abs($0 - 29.0 / 7 * Double(Self.maxDepth - 1)) < 1e-9 } == true, "\(answer)")
    }

    @Test func timeArithmeticAtTheDepthLimitRuns() async throws {
        // `time >` is one level and `now()` another: 62 subtractions make a 64-level tree.
        let answer = try await Self.run("SELECT v FROM m WHERE time < now()" + String(repeating: " - 1s", count: Self.maxDepth - 2),
                                        lines: Self.oneRow)
        #expect(answer == "m{} time,v\n0s 1.5")
    }

    @Test(arguments: [150, 50_000])
    func anOrOfTagValuesSelectsTheRightSeries(count: Int) async throws {
        var values = (0..<(count - 1)).map { "h\($0)" }
        values.insert("b", at: count / 3)
        let condition = values.map { "host = '\($0)'" }.joined(separator: " OR ")
        let answer = try await Self.run("SELECT value FROM cpu WHERE " + condition + " GROUP BY host")
        #expect(answer == "cpu{host=b} time,value\n0s 5\n30s 4\n70s 6")
    }

    @Test func anOrOfFieldValuesIsEvaluatedPerRow() async throws {
        let condition = (0..<1_000).map { "value = \($0 + 100)" }.joined(separator: " OR ") + " OR value = 8"
        let answer = try await Self.run("SELECT value FROM cpu WHERE " + condition)
        #expect(answer == "cpu{} time,value\n60s 8")
    }

    @Test func aLongAndOfTagConditionsRuns() async throws {
        let condition = Self.chain("host = 'a'", " AND ", 10_000) + " AND region = 'east'"
        let answer = try await Self.run("SELECT value FROM cpu WHERE " + condition)
        #expect(answer == "cpu{} time,value\n0s 1\n10s 3\n20s 2\n60s 8")
    }

    /// The worst the limits allow at once: subqueries nested as deep as allowed, each level
    /// with a field and a condition as deep as allowed, and the time conditions each level
    /// passes down. Same answer as the shallow query it stands for.
    @Test func deepestSubqueriesOfDeepestExpressionsRun() async throws {
        let field = "value" + String(repeating: " + 0", count: Self.maxDepth - 1)
        let condition = "time >= 0 AND value > -1" + String(repeating: " + 0", count: Self.maxDepth - 3)
        var deep = "SELECT \(field) AS value FROM cpu WHERE \(condition)"
        var shallow = "SELECT value FROM cpu WHERE time >= 0 AND value > -1"
        for _ in 0..<Parser.maximumSubqueryDepth {
            deep = "SELECT \(field) AS value FROM (\(deep)) WHERE \(condition)"
            shallow = "SELECT value FROM (\(shallow)) WHERE time >= 0 AND value > -1"
        }
        let expected = try await Self.run(shallow)
        #expect(expected.hasPrefix("cpu{} time,value\n0s "), "\(expected)")
        #expect(try await Self.run(deep) == expected)
        let tooDeep = try await Self.run("SELECT value FROM (\(deep))")
        #expect(tooDeep.hasPrefix("rejected: error parsing query: subqueries are nested too deeply (more than 16 levels)"))
    }

    // MARK: JSON

    @Test func jsonNestingIsBoundedAt64Levels() async {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let parsed = await StackProbe.run(stackBytes: Self.smallStack) { () -> Bool in
            guard let a = try? JSONValue.parse(ok), let b = try? JSONValue.parse(ok) else { return false }
            return a == b
        }
        #expect(parsed)
        for count in [65, 100_000] {
            let deep = String(repeating: "[", count: count) + String(repeating: "]", count: count)
            #expect(throws: JSONSyntaxError(offset: 64, reason: "nested deeper than 64 levels")) { try JSONValue.parse(deep) }
            #expect(throws: InfluxJSONDecoder.DecodingError(description: "invalid JSON at byte 64: nested deeper than 64 levels")) {
                try InfluxJSONDecoder.decode(deep)
            }
        }
    }

    // MARK: Helpers

    /// The depth of the deepest expression of a statement, walked without recursion.
    static func depth(_ statement: Statement) -> Int {
        guard case .select(let s) = statement else { return 0 }
        return (s.fields.map(\.expr) + [s.condition].compactMap { $0 }).map(depth).max() ?? 0
    }

    static func depth(_ e: Expr) -> Int {
        var deepest = 0
        var stack = [(e, 1)]
        while let (node, level) = stack.popLast() {
            deepest = max(deepest, level)
            switch node {
            case .binary(_, let l, let r): stack += [(l, level + 1), (r, level + 1)]
            case .paren(let inner): stack.append((inner, level + 1))
            case .call(_, let args): stack += args.map { ($0, level + 1) }
            default: break
            }
        }
        return deepest
    }

    /// The operands of a tree of `op`, in order.
    static func leaves(_ e: Expr, joinedBy op: BinaryOperator) -> [Expr] {
        var out: [Expr] = []
        var stack = [e]
        while let node = stack.popLast() {
            if case .binary(op, let l, let r) = node {
                stack += [r, l]
            } else {
                out.append(node)
            }
        }
        return out
    }
}
