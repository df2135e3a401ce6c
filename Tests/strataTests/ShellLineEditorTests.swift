import Foundation
import StrataTestSupport
import Testing
@testable import strata

/// The line editor's key decoding and editing, fed bytes as a terminal would send them.
@Suite struct ShellLineEditorTests {
    /// Feeds `bytes` through the decoder into a state; returns the state and the outcomes.
    static func type(_ bytes: [UInt8], history: [String] = []) -> (LineEditorState, [LineEditorState.Outcome]) {
        var decoder = LineEditorKeyDecoder()
        var state = LineEditorState(history: LineEditorHistory(entries: history))
        var outcomes: [LineEditorState.Outcome] = []
        for byte in bytes {
            if let key = decoder.feed(byte) { outcomes.append(state.apply(key)) }
        }
        return (state, outcomes)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let esc = "\u{1B}"

    /// (what is typed, buffer afterwards, cursor afterwards)
    static let editing: [(String, String, Int)] = [
        ("select", "select", 6),
        ("abc\u{1B}[D\u{1B}[DX", "aXbc", 2),
        ("abc\u{02}\u{02}\u{06}Y", "abYc", 3),
        ("abc\u{01}X", "Xabc", 1),
        ("abc\u{01}\u{05}X", "abcX", 4),
        ("abc\u{1B}[HX\u{1B}[FY", "XabcY", 5),
        ("abc\u{1B}OHX\u{1B}OFY", "XabcY", 5),
        ("abc\u{1B}[1~X\u{1B}[4~Y", "XabcY", 5),
        ("abc\u{7F}", "ab", 2),
        ("abc\u{08}\u{08}", "a", 1),
        ("abc\u{01}\u{7F}", "abc", 0),
        ("abc\u{01}\u{1B}[3~", "bc", 0),
        ("abc\u{1B}[3~", "abc", 3),
        ("abc\u{02}\u{04}", "ab", 2),
        ("hello world\u{02}\u{02}\u{15}", "ld", 0),
        ("hello world\u{01}\u{06}\u{06}\u{0B}", "he", 2),
        ("select max(battery\u{17}", "select max(", 11),
        ("select max(battery) \u{17}", "select max(", 11),
        ("one two three\u{1B}b\u{1B}bX", "one Xtwo three", 5),
        ("one two\u{01}\u{1B}fX", "oneX two", 4),
        ("one two\u{1B}[1;5DX", "one Xtwo", 5),
        ("é漢🙂\u{1B}[DX", "é漢X🙂", 3),
        ("a\u{1B}[Zb", "ab", 2),
    ]

    @Test(arguments: editing)
    func edits(_ typed: String, _ buffer: String, _ cursor: Int) {
        let (state, _) = Self.type(Self.bytes(typed))
        #expect(state.text == buffer)
        #expect(state.cursor == cursor)
    }

    @Test func enterSubmitsAndClears() {
        let (state, outcomes) = Self.type(Self.bytes("SHOW DATABASES;\r"))
        #expect(outcomes.last == .submit("SHOW DATABASES;"))
        #expect(state.text.isEmpty && state.cursor == 0)
    }

    @Test func ctrlCDropsTheLine() {
        let (state, outcomes) = Self.type(Self.bytes("abc\u{03}"))
        #expect(outcomes.last == .interrupt)
        #expect(state.text.isEmpty)
    }

    @Test func ctrlDEndsOnlyAnEmptyLine() {
        #expect(Self.type([0x04]).1 == [.endOfInput])
        #expect(Self.type(Self.bytes("a\u{04}")).1.last == .unchanged)
    }

    @Test func bellWhenNothingHappens() {
        #expect(Self.type(Self.bytes("\u{7F}\u{1B}[D\u{1B}[C\u{1B}[A\u{1B}[B")).1 == [.unchanged, .unchanged, .unchanged, .unchanged, .unchanged])
    }

    @Test func historyWalksBackAndForthKeepingTheDraft() {
        let up = "\u{1B}[A", down = "\u{1B}[B"
        let history = ["SHOW DATABASES;", "SELECT 1;"]
        #expect(Self.type(Self.bytes("dr" + up), history: history).0.text == "SELECT 1;")
        #expect(Self.type(Self.bytes("dr" + up + up), history: history).0.text == "SHOW DATABASES;")
        #expect(Self.type(Self.bytes("dr" + up + up + up), history: history).1.last == .unchanged)
        #expect(Self.type(Self.bytes("dr" + up + up + down), history: history).0.text == "SELECT 1;")
        let back = Self.type(Self.bytes("dr" + up + up + down + down), history: history).0
        #expect(back.text == "dr" && back.cursor == 2)
        #expect(Self.type(Self.bytes("\u{10}\u{10}\u{0E}"), history: history).0.text == "SELECT 1;")
        // Editing a recalled entry and submitting it submits the edit.
        #expect(Self.type(Self.bytes(up + "\u{7F}X\r"), history: history).1.last == .submit("SELECT 1X"))
    }

    @Test func tabAsksForCompletion() {
        #expect(Self.type(Self.bytes("sel\t")).1.last == .complete)
    }

    @Test func completionReplacesExtendsOrLists() {
        var state = Self.type(Self.bytes("sel")).0
        #expect(state.complete(start: 0, candidates: ["select"]).isEmpty)
        #expect(state.text == "select " && state.cursor == 7)

        state = Self.type(Self.bytes("SELECT * FROM ro")).0
        #expect(state.complete(start: 14, candidates: ["robot", "robot_arm"]).isEmpty)
        #expect(state.text == "SELECT * FROM robot")
        #expect(state.complete(start: 14, candidates: ["robot", "robot_arm"]) == ["robot", "robot_arm"])
        #expect(state.text == "SELECT * FROM robot")

        state = Self.type(Self.bytes("x")).0
        #expect(state.complete(start: 0, candidates: []).isEmpty)
        #expect(state.text == "x")

        // In the middle of a line no space is added.
        state = Self.type(Self.bytes("ma FROM m\u{01}\u{06}\u{06}")).0
        #expect(state.complete(start: 0, candidates: ["max"]).isEmpty)
        #expect(state.text == "max FROM m" && state.cursor == 3)
    }

    @Test func historyIsBoundedAndSkipsRepeatsAndBlanks() {
        var history = LineEditorHistory(limit: 3)
        for entry in ["a", "a", " ", "b", "c", "d", "multi\nline"] { history.add(entry) }
        #expect(history.entries == ["c", "d", "multi line"])
    }

    @Test func historySurvivesASaveAndLoad() throws {
        let path = TemporaryDirectory.uniquePath(prefix: "strata-history-test")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var history = LineEditorHistory()
        for i in 0..<1_005 { history.add("SELECT \(i);") }
        history.save(path: path)
        let loaded = LineEditorHistory.load(path: path)
        #expect(loaded.entries.count == 1_000)
        #expect(loaded.entries.first == "SELECT 5;")
        #expect(loaded.entries.last == "SELECT 1004;")
        #expect(LineEditorHistory.load(path: path + ".missing").entries.isEmpty)
    }

    @Test(arguments: [
        ("SHOW DATABASES;", true), ("SHOW DATABASES", false), ("SELECT 'a;'", false), ("SELECT 'a;';", true),
        ("SELECT \"x;\"\nFROM m ;  ", true), ("SELECT 'it\\'s;'", false), ("SELECT 1; -- done;", true),
        ("SELECT 1 -- not yet;", false), (";", true),
    ])
    func statementCompleteness(_ text: String, _ complete: Bool) {
        #expect(ShellInput.isComplete(text) == complete)
    }

    @Test(arguments: [
        (".format csv", ShellInput.command("format", ["csv"])), ("  .QUIT ", .command("quit", [])),
        ("use robots", .use("robots")), ("USE \"north-fleet\";", .use("north-fleet")), ("exit", .command("quit", [])),
        ("", .blank), ("SELECT *", .statementText), ("use", .statementText),
    ])
    func classifiesLines(_ line: String, _ input: ShellInput) {
        #expect(ShellInput.classify(line, atStatementStart: true) == input)
    }

    @Test func commandsInsideAStatementAreText() {
        #expect(ShellInput.classify(".format csv", atStatementStart: false) == .statementText)
    }
}
