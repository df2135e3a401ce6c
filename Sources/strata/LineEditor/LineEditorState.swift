/// The line being edited, the cursor and the walk through history: everything the line
/// editor does except talk to the terminal, so it is tested by feeding keys.
struct LineEditorState: Sendable {
    enum Outcome: Equatable, Sendable {
        /// Redraw the line.
        case edited
        /// Nothing to do (ring the bell: no history to go to, nothing to delete...).
        case unchanged
        case submit(String)
        /// Ctrl-C: the line is dropped.
        case interrupt
        /// Ctrl-D on an empty line.
        case endOfInput
        /// Tab: the caller asks its completer, then calls `complete(start:candidates:)`.
        case complete
        case clearScreen
    }

    private(set) var buffer: [Character] = []
    private(set) var cursor = 0
    var history: LineEditorHistory
    /// Index into history while walking it; nil on the line being typed.
    private var historyIndex: Int?
    /// The line being typed, kept while walking history.
    private var draft: [Character] = []

    init(history: LineEditorHistory = LineEditorHistory()) {
        self.history = history
    }

    var text: String { String(buffer) }

    mutating func apply(_ key: LineEditorKey) -> Outcome {
        switch key {
        case .insert(let c):
            buffer.insert(c, at: cursor)
            cursor += 1
        case .left:
            guard cursor > 0 else { return .unchanged }
            cursor -= 1
        case .right:
            guard cursor < buffer.count else { return .unchanged }
            cursor += 1
        case .wordLeft:
            guard cursor > 0 else { return .unchanged }
            cursor = wordStart(before: cursor)
        case .wordRight:
            guard cursor < buffer.count else { return .unchanged }
            while cursor < buffer.count, !Self.isWordCharacter(buffer[cursor]) { cursor += 1 }
            while cursor < buffer.count, Self.isWordCharacter(buffer[cursor]) { cursor += 1 }
        case .home: cursor = 0
        case .end: cursor = buffer.count
        case .backspace:
            guard cursor > 0 else { return .unchanged }
            cursor -= 1
            buffer.remove(at: cursor)
        case .delete:
            guard cursor < buffer.count else { return .unchanged }
            buffer.remove(at: cursor)
        case .endOfInput:
            if buffer.isEmpty { return .endOfInput }
            guard cursor < buffer.count else { return .unchanged }
            buffer.remove(at: cursor)
        case .killToStart:
            buffer.removeSubrange(0..<cursor)
            cursor = 0
        case .killToEnd:
            buffer.removeSubrange(cursor...)
        case .killWordBack:
            guard cursor > 0 else { return .unchanged }
            let start = wordStart(before: cursor)
            buffer.removeSubrange(start..<cursor)
            cursor = start
        case .up:
            guard !history.entries.isEmpty else { return .unchanged }
            if let index = historyIndex {
                guard index > 0 else { return .unchanged }
                historyIndex = index - 1
            } else {
                draft = buffer
                historyIndex = history.entries.count - 1
            }
            show(Array(history.entries[historyIndex!]))
        case .down:
            guard let index = historyIndex else { return .unchanged }
            if index + 1 < history.entries.count {
                historyIndex = index + 1
                show(Array(history.entries[index + 1]))
            } else {
                historyIndex = nil
                show(draft)
            }
        case .enter:
            let line = text
            reset()
            return .submit(line)
        case .interrupt:
            reset()
            return .interrupt
        case .tab: return .complete
        case .clearScreen: return .clearScreen
        }
        return .edited
    }

    /// Applies completion candidates for the word from `start` to the cursor: one candidate
    /// replaces the word (and a space follows); several extend it to their common prefix.
    /// Returns the candidates to list when they are several and the word cannot grow.
    mutating func complete(start: Int, candidates: [String]) -> [String] {
        guard start >= 0, start <= cursor, let first = candidates.first else { return [] }
        let word = String(buffer[start..<cursor])
        if candidates.count == 1 {
            replaceWord(from: start, with: first + (cursor == buffer.count ? " " : ""))
            return []
        }
        var prefix = Array(first)
        for candidate in candidates.dropFirst() {
            let c = Array(candidate)
            var n = 0
            while n < prefix.count, n < c.count, prefix[n] == c[n] { n += 1 }
            prefix.removeSubrange(n...)
        }
        if prefix.count > word.count, String(prefix).lowercased().hasPrefix(word.lowercased()) {
            replaceWord(from: start, with: String(prefix))
            return []
        }
        return candidates
    }

    private mutating func replaceWord(from start: Int, with text: String) {
        buffer.replaceSubrange(start..<cursor, with: Array(text))
        cursor = start + text.count
    }

    private mutating func show(_ line: [Character]) {
        buffer = line
        cursor = line.count
    }

    private mutating func reset() {
        buffer = []
        cursor = 0
        historyIndex = nil
        draft = []
    }

    /// Start of the word before `position`, skipping the spaces and punctuation right before
    /// it first (what Ctrl-W and Alt-B do in readline).
    private func wordStart(before position: Int) -> Int {
        var i = position
        while i > 0, !Self.isWordCharacter(buffer[i - 1]) { i -= 1 }
        while i > 0, Self.isWordCharacter(buffer[i - 1]) { i -= 1 }
        return i
    }

    static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_"
    }
}
