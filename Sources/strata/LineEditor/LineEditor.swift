#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small readline: when stdin and stdout are terminals it edits the line in raw mode
/// (keys in `LineEditorKeyDecoder`, editing in `LineEditorState`); otherwise it reads plain
/// lines with no prompt and no echo, so input can be piped in. No package offers this here.
///
/// The line is redrawn whole on every key (carriage return, prompt, text, clear to end of
/// line, cursor moved back), which is simple and right as long as the line fits the
/// terminal's width; a longer line still edits correctly but redraws untidily.
final class LineEditor {
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the caller drops what it has gathered.
        case interrupted
        /// Ctrl-D on an empty line, or the end of piped input.
        case end
    }

    /// What completion offers for the word that ends at the cursor: where the word starts
    /// (a Character offset) and the full words that may replace it.
    typealias Completion = (_ line: String, _ cursor: Int) async -> (start: Int, candidates: [String])

    let isInteractive: Bool
    private var state: LineEditorState
    private var decoder = LineEditorKeyDecoder()

    init(history: LineEditorHistory) {
        isInteractive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        state = LineEditorState(history: history)
    }

    var history: LineEditorHistory { state.history }

    func addHistory(_ entry: String) {
        state.history.add(entry)
    }

    func readLine(prompt: String, complete: Completion? = nil) async -> Input {
        guard isInteractive else {
            guard let line = Swift.readLine(strippingNewline: true) else { return .end }
            return .line(line)
        }
        fflush(nil)
        guard let terminal = Terminal.RawMode() else {
            Terminal.write(prompt)
            guard let line = Swift.readLine(strippingNewline: true) else { return .end }
            return .line(line)
        }
        defer { terminal.restore() }
        redraw(prompt)
        while true {
            guard let byte = Terminal.readByte() else {
                Terminal.write("\r\n")
                return .end
            }
            guard let key = decoder.feed(byte) else { continue }
            switch state.apply(key) {
            case .edited: redraw(prompt)
            case .unchanged: Terminal.write("\u{07}")
            case .submit(let line):
                Terminal.write("\r\n")
                return .line(line)
            case .interrupt:
                Terminal.write("^C\r\n")
                return .interrupted
            case .endOfInput:
                Terminal.write("\r\n")
                return .end
            case .clearScreen:
                Terminal.write("\u{1B}[H\u{1B}[2J")
                redraw(prompt)
            case .complete:
                guard let complete else {
                    Terminal.write("\u{07}")
                    continue
                }
                let (start, candidates) = await complete(state.text, state.cursor)
                let listed = state.complete(start: start, candidates: candidates)
                if candidates.isEmpty {
                    Terminal.write("\u{07}")
                } else if !listed.isEmpty {
                    Terminal.write("\r\n" + Self.columns(listed) + "\r\n")
                }
                redraw(prompt)
            }
        }
    }

    private func redraw(_ prompt: String) {
        var out = "\r" + prompt + state.text + "\u{1B}[K"
        let back = state.buffer.count - state.cursor
        if back > 0 { out += "\u{1B}[\(back)D" }
        Terminal.write(out)
    }

    /// Candidates in rows of up to 80 columns, as readline lists them.
    static func columns(_ words: [String]) -> String {
        let width = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, 80 / width)
        var rows: [String] = []
        for start in stride(from: 0, to: words.count, by: perRow) {
            let row = words[start..<min(start + perRow, words.count)]
            rows.append(row.map { $0.padding(to: width) }.joined().trimmingTrailingSpaces())
        }
        return rows.joined(separator: "\r\n")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
