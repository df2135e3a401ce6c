import StrataCore

/// The CLI's table: the influx CLI's column mode. Per series a `name: robot` line, a
/// `tags: device_id=robot-0001, fleet=north` line when grouped by tag, the column names, a
/// row of dashes under each name, then the rows, cells left-aligned and separated by at
/// least one space (Go's tabwriter with padding 1). Statement messages print as
/// `warning: ...`, statement errors as `ERR: ...`. Series and statements are separated by an
/// empty line. The caller adds the row count and timing.
public enum ResultTable {
    /// Times are RFC 3339 unless `epoch` is given (then integers in that unit).
    public static func format(_ results: [StatementResult], epoch: TimeUnit? = nil) -> String {
        var blocks: [String] = []
        for result in results {
            var lines: [String] = result.messages.map { "warning: \($0)" }
            if let error = result.error { lines.append("ERR: \(error)") }
            if !lines.isEmpty { blocks.append(lines.joined(separator: "\n") + "\n") }
            for series in result.series { blocks.append(format(series, epoch: epoch)) }
        }
        return blocks.joined(separator: "\n")
    }

    public static func rowCount(_ results: [StatementResult]) -> Int {
        results.reduce(0) { $0 + $1.series.reduce(0) { $0 + $1.values.count } }
    }

    static func format(_ series: ResultSeries, epoch: TimeUnit?) -> String {
        var out = ""
        if !series.name.isEmpty { out += "name: \(series.name)\n" }
        if !series.tags.isEmpty {
            out += "tags: " + series.tags.keys.sorted().map { "\($0)=\(series.tags[$0]!)" }.joined(separator: ", ") + "\n"
        }
        var grid: [[String]] = [series.columns, series.columns.map { String(repeating: "-", count: width($0)) }]
        for row in series.values { grid.append(row.map { cell($0, epoch: epoch, zone: series.zone) }) }
        let columnCount = grid.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columnCount)
        for row in grid {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], width(cell)) }
        }
        for row in grid {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - width(cell) + 1) }
            }
            // A null in the last column would leave padding behind: no trailing spaces.
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    public static func cell(_ value: QueryValue, epoch: TimeUnit?, zone: QueryZone? = nil) -> String {
        switch value {
        case .null: ""
        case .float(let x): GoFloat.json(x) ?? GoFloat.fixed(x)
        case .integer(let i): String(i)
        case .unsigned(let u): String(u)
        case .string(let s): s
        case .boolean(let b): b ? "true" : "false"
        case .time(let t): epoch.map { String($0.units(fromNanoseconds: t)) } ?? RFC3339.format(t, in: zone)
        }
    }

    /// Go's tabwriter counts runes; so does this (wide characters misalign in both).
    static func width(_ s: String) -> Int { s.unicodeScalars.count }
}
