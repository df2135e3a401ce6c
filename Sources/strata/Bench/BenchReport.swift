import Foundation

/// The run's results as text: the terminal's table and the Markdown file.
enum BenchReport {
    static func rows(_ r: BenchResults) -> (header: [String], rows: [[String]]) {
        let header = ["system", "values/s", "values/CPU-s", "peak RSS MiB", "disk MiB", "B/value"]
            + BenchQuery.ID.allCases.map { "\($0.rawValue) p50/p99 ms" }
        let rows = r.systems.map { s -> [String] in
            guard s.error == nil else { return [s.name.rawValue, "failed: \(s.error!)"] }
            let queries = BenchQuery.ID.allCases.map { id in
                s.queries.first { $0.id == id }.map { "\(fixed($0.p50Milliseconds, 1)) / \(fixed($0.p99Milliseconds, 1))" } ?? "-"
            }
            return [s.name.rawValue, grouped(s.valuesPerSecond), s.valuesPerCPUSecond.map(grouped) ?? "-",
                    s.peakRSSBytes.map { fixed(Double($0) / 1_048_576, 0) } ?? "-",
                    s.diskBytes.map { fixed(Double($0) / 1_048_576, 1) } ?? "-",
                    s.bytesPerValue.map { fixed($0, 3) } ?? "-"] + queries
        }
        return (header, rows)
    }

    static func summary(_ r: BenchResults) -> String {
        let w = r.workload
        return "\(w.devices) devices × \(w.seconds) s at \(fixed(1e9 / Double(w.intervalNanoseconds), 2))/s per device: "
            + "\(grouped(Double(w.lines))) lines, \(grouped(Double(w.values))) values, \(Format.bytes(w.bytes)); "
            + "batches of \(w.batchLines) lines over \(w.connections) connections; seed \(w.seed)"
    }

    static func agreement(_ r: BenchResults) -> String {
        r.agree ? "answers: all systems agree on every query (counts and sums)"
            : "answers DISAGREE:\n" + r.disagreements.map { "  - \($0)" }.joined(separator: "\n")
    }

    /// Columns padded to their widest cell.
    static func table(_ r: BenchResults) -> String {
        let (header, rows) = rows(r)
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : 0) - cell.count)) + cell
            }.joined(separator: "  ")
        }
        return ([summary(r), "", line(header)] + rows.map(line) + ["", agreement(r)]).joined(separator: "\n") + "\n"
    }

    static func markdown(_ r: BenchResults) -> String {
        let (header, rows) = rows(r)
        var out = "# strata bench\n\n\(summary(r))\n\n"
        out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        out += "\n" + agreement(r) + "\n\n## Queries\n\n"
        for id in BenchQuery.ID.allCases {
            out += "- **\(id.rawValue)** \(id.summary)\n"
            for s in r.systems { if let q = s.queries.first(where: { $0.id == id }) { out += "  - \(s.name.rawValue): `\(q.text)`\n" } }
        }
        return out
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", x)
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ x: Double) -> String {
        let digits = String(Int(x.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0, c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
