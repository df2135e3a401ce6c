import Foundation
import StrataCore

extension SelectExecutor {
    /// What EXPLAIN says about one measurement's plan.
    static func describe(_ c: Context, calls: [AggregateCall], tiers: TierSetting? = nil) -> [String] {
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
        if plan.interval > 0 { grouping.append("time(\(DurationText.format(plan.interval, .influxQL)), offset \(DurationText.format(plan.offset, .influxQL)))") }
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
            if let tiers { lines.append("rollup tiers: \(tierUse(c, calls: calls, tiers))") }
        }
        return lines
    }

    private static func headerUse(_ c: Context, calls: [AggregateCall]) -> String {
        if let reason = summaryRefusal(c, calls: calls) { return "not used (\(reason))" }
        return c.plan.interval > 0 ? "used for blocks that fall inside one time bucket" : "used for every whole block in range"
    }

    /// Why no summary (block header or tier bucket) can stand in for rows, or nil.
    private static func summaryRefusal(_ c: Context, calls: [AggregateCall]) -> String? {
        if c.clause.rowFilter != nil { return "a field predicate needs every row" }
        if !c.plan.auxRefs.isEmpty { return "auxiliary columns need the selected row" }
        if let call = calls.first(where: { !$0.summarizable }) { return "\(call.function) needs every value" }
        return nil
    }

    /// Which of the database's rollup tiers can serve this aggregate, and why not when none
    /// can. A tier serves a bucket of its resolution only when that bucket lies inside one
    /// GROUP BY window, so its resolution must divide the interval and the offset
    /// (docs/tiers.md).
    static func tierUse(_ c: Context, calls: [AggregateCall], _ setting: TierSetting) -> String {
        guard setting.enabled else { return "not used (tiers=off)" }
        guard !setting.tiers.isEmpty else { return "none configured for database \(setting.database)" }
        let listed = setting.tiers.map { "\($0.name) (\(DurationText.format($0.resolution, .influxQL)))" }.joined(separator: ", ")
        if let reason = summaryRefusal(c, calls: calls) { return "not used (\(reason)); configured: \(listed)" }
        let types = c.plan.fieldTypes
        if let field = c.fields.sorted().first(where: { types[$0].map { t in !Self.isRolledUp(t) } ?? false }) {
            return "not used (field \(field) is \(QueryExecutor.typeName(types[field]!)); only numeric fields are rolled up)"
        }
        let interval = c.plan.interval
        let offset = interval > 0 ? ((c.plan.offset % interval) + interval) % interval : 0
        let usable = setting.tiers.filter { interval == 0 || (interval % $0.resolution == 0 && offset % $0.resolution == 0) }
        guard !usable.isEmpty else {
            let time = offset == 0 ? DurationText.format(interval, .influxQL) : "\(DurationText.format(interval, .influxQL)), \(DurationText.format(offset, .influxQL))"
            return "not used (no tier's resolution divides GROUP BY time(\(time))); configured: \(listed)"
        }
        let names = usable.reversed().map { "\($0.name) (\(DurationText.format($0.resolution, .influxQL)))" }.joined(separator: ", ")
        return "\(names) can serve whole buckets of compacted data, coarsest first; raw rows serve the range edges, "
            + "data not compacted yet and buckets under later deletes"
    }

    static func isRolledUp(_ t: FieldType) -> Bool {
        t == .float || t == .integer || t == .unsigned
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
                "rows decoded: \(s.rowsDecoded) (of which head rows: \(s.headRows))",
                "tier buckets: \(Self.tierBucketText(s.tierBuckets))",
            ]
            lines += Self.servedLines(s.served)
            lines += [
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

    static func tierBucketText(_ buckets: [String: Int]) -> String {
        let used = buckets.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        return used.isEmpty ? "none" : used.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// At most this many ranges per source: a query over scattered late data can yield
    /// thousands, and the first few tell the story.
    static let servedRangesShown = 8

    /// "served by rollup_1h: 2024-01-01T00:00:00Z .. 2024-01-01T23:59:59.999999999Z", raw
    /// rows first, then block headers, then tiers by name. Ends are inclusive.
    static func servedLines(_ served: [String: ServedRanges]) -> [String] {
        let order = ["raw": 0, "blocks": 1]
        let keys = served.keys.filter { !served[$0]!.ranges.isEmpty }.sorted { a, b in
            (order[a] ?? 2, a) < (order[b] ?? 2, b)
        }
        return keys.map { key in
            let ranges = served[key]!.ranges
            var parts = ranges.prefix(servedRangesShown).map {
                "\(RFC3339.format($0.lowerBound)) .. \(RFC3339.format($0.upperBound))"
            }
            if ranges.count > servedRangesShown { parts.append("and \(ranges.count - servedRangesShown) more ranges") }
            return "served by \(key == "blocks" ? "block headers" : key): \(parts.joined(separator: ", "))"
        }
    }

    static func milliseconds(_ d: Duration) -> String {
        // Integer microseconds, not String(format:): Foundation's formatter is not needed
        // for three decimals, and a server path is better off without it.
        let us = d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
        let fraction = String(us % 1_000)
        return "\(us / 1_000).\(String(repeating: "0", count: 3 - fraction.count) + fraction) ms"
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

/// What EXPLAIN says about rollup tiers needs: whether the executor may read them, and the
/// database's tiers. Nil for a source without tiers (a subquery's rows).
struct TierSetting {
    var enabled: Bool
    var database: String
    var tiers: [RollupTier]
}

extension SelectExecutor {
    var tierSetting: TierSetting? {
        guard let storage = source as? StorageSource else { return nil }
        return TierSetting(enabled: storage.tiers, database: storage.database,
                           tiers: storage.engine.retention(database: storage.database).tiers)
    }
}
