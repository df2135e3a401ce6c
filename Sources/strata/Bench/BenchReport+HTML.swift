import Foundation
import StrataCore

/// `--report FILE.html`: one page, its charts drawn as inline SVG, nothing loaded from
/// anywhere else, so it opens offline and can be mailed as one file.
extension BenchReport {
    static let colors: [BenchSystem.Kind: String] = [.strata: "#2b6cb0", .influxdb: "#c05621", .victoriametrics: "#2f855a"]

    static func html(_ r: BenchResults) -> String {
        let (header, rows) = rows(r)
        let legend = r.systems.map { "<span class=\"key\" style=\"background:\(colors[$0.name]!)\"></span>\(escape($0.name.rawValue))" }
            .joined(separator: " &nbsp; ")
        var body = "<h1>strata bench</h1><p>\(escape(summary(r)))</p><p>\(legend)</p>"
        body += "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for row in rows { body += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
        body += "</table><p class=\"\(r.agree ? "ok" : "bad")\">\(escape(agreement(r)).replacingAll("\n", with: "<br>"))</p>"
        body += "<div class=\"charts\">"
        body += lineChart("Ingest rate (values/s)", xLabel: "seconds since ingest began",
                          series: r.systems.map { ($0.name, $0.ingestRate) })
        body += barChart("Query latency, p50 (ms)", groups: BenchQuery.ID.allCases.map(\.rawValue),
                         series: r.systems.map { s in (s.name, BenchQuery.ID.allCases.map { id in s.queries.first { $0.id == id }?.p50Milliseconds }) })
        body += barChart("Bytes on disk per value", groups: ["after settling"],
                         series: r.systems.map { ($0.name, [$0.bytesPerValue]) })
        body += lineChart("Resident memory (MiB)", xLabel: "seconds since the server started",
                          series: r.systems.map { s in (s.name, s.rss.map { .init(seconds: $0.seconds, value: $0.value / 1_048_576) }) })
        body += "</div><h2>Queries</h2><ul>"
        for id in BenchQuery.ID.allCases { body += "<li><b>\(id.rawValue)</b> \(escape(id.summary))</li>" }
        body += "</ul>"
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>strata bench</title><style>
            body{font:14px system-ui,sans-serif;margin:24px;color:#1a202c}table{border-collapse:collapse;margin:12px 0}
            th,td{border:1px solid #cbd5e0;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
            .charts{display:flex;flex-wrap:wrap;gap:16px}.key{display:inline-block;width:12px;height:12px;margin-right:4px}
            .ok{color:#2f855a}.bad{color:#c53030;font-weight:bold}svg{background:#fff;border:1px solid #e2e8f0}
            </style></head><body>\(body)</body></html>

            """
    }

    private static let size = (width: 520.0, height: 300.0, left: 70.0, right: 16.0, top: 34.0, bottom: 40.0)

    private static func frame(_ title: String, yMax: Double, xLabel: String?) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size.width))\" height=\"\(Int(size.height))\">"
        svg += "<text x=\"\(size.left)\" y=\"20\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>"
        let plotHeight = size.height - size.top - size.bottom
        for i in 0...4 {
            let y = size.top + plotHeight * (1 - Double(i) / 4)
            svg += "<line x1=\"\(size.left)\" x2=\"\(size.width - size.right)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#e2e8f0\"/>"
            svg += "<text x=\"\(size.left - 6)\" y=\"\(y + 4)\" font-size=\"11\" text-anchor=\"end\">\(escape(short(yMax * Double(i) / 4)))</text>"
        }
        if let xLabel {
            svg += "<text x=\"\((size.width + size.left) / 2)\" y=\"\(size.height - 6)\" font-size=\"11\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        }
        return svg
    }

    static func lineChart(_ title: String, xLabel: String, series: [(BenchSystem.Kind, [BenchResults.Sample])]) -> String {
        let xMax = max(series.flatMap { $0.1.map(\.seconds) }.max() ?? 1, 1e-9)
        let yMax = niceCeiling(series.flatMap { $0.1.map(\.value) }.max() ?? 1)
        var svg = frame(title, yMax: yMax, xLabel: xLabel + " (0 to \(short(xMax)))")
        let plotWidth = size.width - size.left - size.right, plotHeight = size.height - size.top - size.bottom
        for (kind, samples) in series where !samples.isEmpty {
            let points = samples.map { s in
                "\(fixed(size.left + plotWidth * s.seconds / xMax, 1)),\(fixed(size.top + plotHeight * (1 - s.value / yMax), 1))"
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colors[kind]!)\" stroke-width=\"2\" points=\"\(points)\"/>"
        }
        return svg + "</svg>"
    }

    static func barChart(_ title: String, groups: [String], series: [(BenchSystem.Kind, [Double?])]) -> String {
        let yMax = niceCeiling(series.flatMap { $0.1.compactMap { $0 } }.max() ?? 1)
        var svg = frame(title, yMax: yMax, xLabel: nil)
        let plotWidth = size.width - size.left - size.right, plotHeight = size.height - size.top - size.bottom
        let groupWidth = plotWidth / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (g, group) in groups.enumerated() {
            let x0 = size.left + groupWidth * Double(g) + groupWidth * 0.1
            svg += "<text x=\"\(fixed(x0 + groupWidth * 0.4, 1))\" y=\"\(size.height - 22)\" font-size=\"11\" text-anchor=\"middle\">\(escape(group))</text>"
            for (i, (kind, values)) in series.enumerated() {
                guard g < values.count, let value = values[g] else { continue }
                let height = plotHeight * value / yMax
                svg += "<rect x=\"\(fixed(x0 + barWidth * Double(i), 1))\" y=\"\(fixed(size.top + plotHeight - height, 1))\" "
                    + "width=\"\(fixed(barWidth * 0.9, 1))\" height=\"\(fixed(height, 1))\" fill=\"\(colors[kind]!)\">"
                    + "<title>\(escape(kind.rawValue)): \(escape(short(value)))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// The next of 1, 2, 5 × 10ⁿ at or above `x`: round numbers on the axis.
    static func niceCeiling(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let power = pow(10, floor(log10(x)))
        for step in [1.0, 2, 5, 10] where step * power >= x { return step * power }
        return 10 * power
    }

    static func short(_ x: Double) -> String {
        switch abs(x) {
        case 0: "0"
        case 1e9...: fixed(x / 1e9, 1) + "G"
        case 1e6...: fixed(x / 1e6, 1) + "M"
        case 1e4...: fixed(x / 1e3, 0) + "k"
        case 100...: fixed(x, 0)
        case 1...: fixed(x, 1)
        default: fixed(x, 3)
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }
}
