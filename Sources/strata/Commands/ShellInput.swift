/// What one line typed at the shell is, before anything runs.
enum ShellInput: Equatable {
    /// `.format csv`, `.quit`, ...: the name without its dot, and the words after it.
    case command(String, [String])
    /// `USE name` (InfluxDB's CLI command; no `;` needed).
    case use(String)
    case blank
    /// Part of a statement (which runs once the text ends with `;`).
    case statementText

    /// Commands are only recognised at the start of a statement, not inside one.
    static func classify(_ line: String, atStatementStart: Bool) -> ShellInput {
        let trimmed = line.trimmingWhitespace()
        guard atStatementStart else { return .statementText }
        if trimmed.isEmpty { return .blank }
        let words = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
        if trimmed.hasPrefix(".") {
            return .command(String(words[0].dropFirst()).lowercased(), Array(words.dropFirst()))
        }
        if words.count == 2, words[0].lowercased() == "use" {
            var name = words[1]
            if name.hasSuffix(";") { name.removeLast() }
            if name.count >= 2, name.first == "\"", name.last == "\"" { name = String(name.dropFirst().dropLast()) }
            return .use(name)
        }
        switch trimmed.lowercased() {
        case "exit", "quit": return .command("quit", [])
        case "help": return .command("help", [])
        default: return .statementText
        }
    }

    /// Whether `text` ends with a `;` that is not inside a quoted string or identifier (or a
    /// `--` comment), so the statements are complete.
    static func isComplete(_ text: String) -> Bool {
        let chars = Array(text)
        var quote: Character?
        var last: Character?
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let open = quote {
                if c == "\\" {
                    i += 1
                } else if c == open {
                    quote = nil
                }
                last = c
            } else if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
            } else {
                if c == "'" || c == "\"" { quote = c }
                if !c.isWhitespace { last = c }
            }
            i += 1
        }
        return quote == nil && last == ";"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
