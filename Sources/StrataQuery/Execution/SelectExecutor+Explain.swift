import Foundation
import StrataCore

extension SelectExecutor {
    /// What EXPLAIN says about one measurement's plan.
    static func describe(_ c: Context, calls: [AggregateCall]) -> [String] {
        let plan = c.plan
        var lines = ["measurement: \(c.measurement)"]
        switch plan.kind {
        case .raw: lines.append("kind: raw rows")
        case .rawTransform: lines.append("kind: transformation of raw points")
        case .aggregate:
            let names = calls.map { call in
                call.function == "countDistinct" ? "count(distinct(\(call.field)))" : "\(call.function)(\(call.field))"
            }
            lines.append("kind: aggregate: \(names.joined(separator: ", "))")
        }
        var grouping: [String] = []
        if plan.interval > 0 { grouping.append("time(\(durationText(plan.interval)), offset \(durationText(plan.offset)))") }
        if !plan.groupTags.isEmpty { grouping.append("tags \(plan.groupTags.joined(separator: ", "))") }
        lines.append("group by: \(grouping.isEmpty ? "nothing" : grouping.joined(separator: "; "))")
        lines.append("time range: \(timeText(c.lo)) .. \(timeText(c.hi)) (pushed into block selection)")
        if case .all = c.clause.tags {
            lines.append("series: all of the measurement")
        } else {
            lines.append("series: tag predicate pushed into the series index")
        }
        lines.append("row filter: \(c.clause.rowFilter.map(ExprText.render) ?? "none")")
        lines.append("fields decoded: \(c.fields.sorted().joined(separator: ", "))")
        if plan.kind == .aggregate {
            lines.append("block headers: \(headerUse(c, calls: calls))")
        }
        return lines
    }

    private static func headerUse(_ c: Context, calls: [AggregateCall]) -> String {
        if c.clause.rowFilter != nil { return "not used (a field predicate needs every row)" }
        if !c.plan.auxRefs.isEmpty { return "not used (auxiliary columns need the selected row)" }
        if let call = calls.first(where: { !$0.summarizable }) { return "not used (\(call.function) needs every value)" }
        return c.plan.interval > 0 ? "used for blocks that fall inside one time bucket" : "used for every whole block in range"
    }

    /// `90s` → "90s", 3,600,000,000,000 ns → "1h": the largest InfluxQL unit that divides it.
    static func durationText(_ ns: Int64) -> String {
        let units: [(Int64, String)] = [(604_800_000_000_000, "w"), (86_400_000_000_000, "d"), (3_600_000_000_000, "h"),
                                        (60_000_000_000, "m"), (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "u")]
        for (size, name) in units where ns != 0 && ns % size == 0 { return "\(ns / size)\(name)" }
        return "\(ns)ns"
    }

    static func timeText(_ t: Int64) -> String {
        if t == WhereClause.minTime { return "-inf" }
        if t == WhereClause.maxTime { return "+inf" }
        return String(t)
    }
}

extension QueryExecutor {
    /// EXPLAIN: the plan per measurement; with ANALYZE the query runs and the counts and
    /// times of each stage follow.
    func explain(_ stmt: SelectStatement, analyze: Bool, database: String?, now: Int64) throws(QueryError) -> StatementResult {
        let clock = ContinuousClock()
        let start = clock.now
        var report = ExplainReport()
        let series = try select(stmt, database: database, now: now, report: &report)
        let total = clock.now - start
        var lines = report.notes
        if analyze {
            let s = report.statistics
            lines += [
                "series touched: \(s.seriesTouched)",
                "blocks answered from headers: \(s.blocksSummarized)",
                "blocks decoded: \(s.blocksDecoded)",
                "tier buckets: \(s.tierBuckets.isEmpty ? "none" : s.tierBuckets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))",
                "rows decoded: \(s.rowsDecoded) (of which head rows: \(s.headRows))",
            ] + Self.servedLines(s.served) + [
                "result: \(series.count) series, \(series.reduce(0) { $0 + $1.values.count }) rows",
                "time reading: \(Self.milliseconds(report.scanTime))",
                "time computing: \(Self.milliseconds(report.computeTime))",
                "time total: \(Self.milliseconds(total))",
            ]
        }
        return StatementResult(statementID: 0, series: [
            ResultSeries(name: "", columns: ["QUERY PLAN"], values: lines.map { [.string($0)] }),
        ])
    }

    /// "served by raw: lo..hi, lo..hi": which source answered which times (docs/tiers.md);
    /// at most 8 ranges a source, since a hundred scattered late points would flood the plan.
    static func servedLines(_ served: [String: ServedRanges]) -> [String] {
        served.keys.sorted().map { name in
            let ranges = served[name]!.ranges
            var text = ranges.prefix(8).map { "\($0.lowerBound)..\($0.upperBound)" }.joined(separator: ", ")
            if ranges.count > 8 { text += ", ... (\(ranges.count) ranges)" }
            return "served by \(name): \(text)"
        }
    }

    static func milliseconds(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
        return String(format: "%.3f ms", ms)
    }
}

/// What a SELECT did, gathered across its sources for EXPLAIN.
struct ExplainReport {
    var notes: [String] = []
    var statistics = ScanStatistics()
    var scanTime = Duration.zero
    var computeTime = Duration.zero

    mutating func add(_ e: SelectExecutor) {
        notes += e.planNotes
        statistics.add(e.statistics)
        scanTime += e.scanTime
        computeTime += e.computeTime
    }
}
