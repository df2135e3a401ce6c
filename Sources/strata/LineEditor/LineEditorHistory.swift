import Foundation
import StrataCore

/// Entered lines, oldest first, bounded so the file stays small; kept in a text file
/// between sessions (one entry a line: the shell flattens multi-line statements first).
struct LineEditorHistory: Sendable {
    static let defaultLimit = 1_000

    private(set) var entries: [String] = []
    let limit: Int

    init(entries: [String] = [], limit: Int = defaultLimit) {
        self.limit = limit
        for entry in entries { add(entry) }
    }

    /// Blank lines and a repeat of the last entry are not kept.
    mutating func add(_ entry: String) {
        let line = entry.replacingAll("\n", with: " ")
        guard !line.allSatisfy(\.isWhitespace), line != entries.last else { return }
        entries.append(line)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
    }

    /// `STRATA_HISTORY`, else `~/.strata_history`.
    static func defaultPath() -> String {
        if let path = Environment.value("STRATA_HISTORY") { return path }
        let home = Environment.value("HOME") ?? FileManager.default.homeDirectoryForCurrentUser.path
        return (home as NSString).appendingPathComponent(".strata_history")
    }

    /// A missing or unreadable file is an empty history.
    static func load(path: String, limit: Int = defaultLimit) -> LineEditorHistory {
        guard let data = FileManager.default.contents(atPath: path) else { return LineEditorHistory(limit: limit) }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        return LineEditorHistory(entries: Array(lines.suffix(limit)), limit: limit)
    }

    /// Best effort: a history that cannot be saved must not break the session.
    func save(path: String) {
        let text = entries.isEmpty ? "" : entries.joined(separator: "\n") + "\n"
        try? Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
