import StrataQuery

/// Tab completion for the shell: InfluxQL keywords and functions, and the measurement, tag
/// and field names of the current database (fetched with SHOW MEASUREMENTS / SHOW TAG KEYS /
/// SHOW FIELD KEYS on first use and after each statement, since one may have written or
/// created something). A failing fetch just means no names.
final class ShellCompleter {
    static let keywords = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "FILL", "TIME",
        "NOW", "AND", "OR", "AS", "ASC", "DESC", "INTO", "TZ", "SHOW", "DATABASES", "MEASUREMENTS", "MEASUREMENT",
        "TAG", "KEYS", "KEY", "VALUES", "FIELD", "SERIES", "CREATE", "DATABASE", "DROP", "WITH", "IN", "NULL",
        "NONE", "PREVIOUS", "LINEAR", "COUNT", "MEAN", "MEDIAN", "MODE", "SUM", "MIN", "MAX", "FIRST", "LAST",
        "SPREAD", "STDDEV", "PERCENTILE", "DISTINCT", "DERIVATIVE", "NON_NEGATIVE_DERIVATIVE", "DIFFERENCE",
        "MOVING_AVERAGE", "CUMULATIVE_SUM", "INTEGRAL", "ELAPSED", "TOP", "BOTTOM", "USE",
    ]
    static let commands = [".db", ".epoch", ".format", ".help", ".quit", ".timing"]

    private let connection: QueryConnection
    private var names: [String]?
    private var namesDatabase: String?

    init(connection: QueryConnection) {
        self.connection = connection
    }

    /// Something ran: the names may have changed.
    func invalidate() {
        names = nil
    }

    func complete(line: String, cursor: Int, database: String?) async -> (start: Int, candidates: [String]) {
        let characters = Array(line)
        var start = min(cursor, characters.count)
        while start > 0, Self.isWordPart(characters[start - 1]) { start -= 1 }
        let word = String(characters[start..<min(cursor, characters.count)])
        if start == 0, word.hasPrefix(".") {
            return (start, Self.commands.filter { $0.hasPrefix(word.lowercased()) })
        }
        let quoted = word.hasPrefix("\"")
        let bare = quoted ? String(word.dropFirst()) : word
        var candidates: [String] = []
        if !quoted, !bare.isEmpty {
            let lowercase = bare.first!.isLowercase
            candidates += Self.keywords.filter { $0.hasPrefix(bare.uppercased()) }.map { lowercase ? $0.lowercased() : $0 }
        }
        for name in await self.names(database: database) where name.lowercased().hasPrefix(bare.lowercased()) {
            let display = quoted || !Self.isBareIdentifier(name) ? "\"" + name + "\"" : name
            if !candidates.contains(display) { candidates.append(display) }
        }
        return (start, candidates)
    }

    private func names(database: String?) async -> [String] {
        if let names, namesDatabase == database { return names }
        var found: [String] = []
        for query in ["SHOW MEASUREMENTS", "SHOW TAG KEYS", "SHOW FIELD KEYS"] {
            guard let results = try? await connection.run(query, database: database) else { continue }
            for series in results.flatMap(\.series) {
                for row in series.values {
                    if case .string(let name)? = row.first, !found.contains(name) { found.append(name) }
                }
            }
        }
        names = found.sorted()
        namesDatabase = database
        return names!
    }

    static func isWordPart(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "\"" || c == "." || c == "-"
    }

    static func isBareIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }
}
