import StrataCore

extension SelectExecutor {
    /// Rows (of all a group's series) one window of a streamed raw SELECT is cut to hold:
    /// 16 K rows of ten fields hold ~2 MB decoded and ~6 MB as result cells. Measured on the
    /// shared benchmark's `SELECT *` (2.16 M rows, 238 MB of JSON, chunked): peak RSS 146 MiB
    /// at 16 K, 392 MiB at 64 K (a window is held by the query thread, the stream buffer
    /// and the chunker at once), in the same 4.8 s (docs/limits.md, "Streaming").
    static let streamWindowRows = 16_384

    /// The series of `measurement`, handed to `emit` as they are produced. A raw SELECT on
    /// storage is read group by group and, within a group, window by window in time
    /// (`RowSpan.windows`), so neither its decoded rows nor its result are ever held whole;
    /// one series may then come in several consecutive parts. Anything else is built whole,
    /// then emitted. `slots` applies SOFFSET and SLIMIT across measurements.
    mutating func stream(measurement: String, schema: Schema, slots: inout SeriesSlots,
                         emit: (ResultSeries) throws(QueryError) -> Void) throws(QueryError) {
        guard let context = try prepare(measurement: measurement, schema: schema) else { return }
        guard context.plan.kind == .raw, let storage = source as? StorageSource else {
            var series = try run(context).sorted(by: ResultSeries.precedes)
            if statement.descending { series.reverse() }
            for s in series where slots.admit() { try emit(s) }
            return
        }
        try streamRaw(context, storage: storage, slots: &slots, emit: emit)
    }

    private mutating func streamRaw(_ context: Context, storage: StorageSource, slots: inout SeriesSlots,
                                    emit: (ResultSeries) throws(QueryError) -> Void) throws(QueryError) {
        let plan = context.plan
        let keys = storage.seriesKeys(context.measurement, tags: context.clause.tags)
        // Counted once here: each window reads the same series again.
        try task.count(series: keys.count)
        countsSeriesPerRead = false
        defer { countsSeriesPerRead = true }
        var groups = Set(keys.map { Self.groupKey($0, plan.groupTags) }).map { Self.tagMap(plan.groupTags, $0) }
        groups.sort(by: ResultSeries.tagsPrecede)
        if statement.descending { groups.reverse() }
        for group in groups {
            guard !slots.isFull else { return }
            try task.check()
            var c = context
            // The group's series only: a missing tag is the empty value, as in InfluxQL.
            c.clause.tags = .and([context.clause.tags] + plan.groupTags.map { .equals($0, group[$0] ?? "") })
            let spans = storage.rowSpans(c.measurement, tags: c.clause.tags, range: context.lo...context.hi)
            var windows = RowSpan.windows(spans, rows: windowRows, range: context.lo...context.hi)
            if statement.descending { windows.reverse() }
            var rows = RowWindowLimit(offset: statement.offset, limit: statement.limit)
            var admitted: Bool?
            for window in windows where !rows.isDone {
                c.lo = window.lowerBound
                c.hi = window.upperBound
                // The window's rows are held until its part is handed over.
                defer { task.releaseStatementMemory() }
                guard var part = try runRaw(c).first else { continue }
                if statement.descending { part.values.reverse() }
                part.values = rows.take(part.values)
                guard !part.values.isEmpty else { continue }
                if admitted == nil { admitted = slots.admit() }
                // A series SOFFSET skips is known to have rows: no need to read the rest.
                guard admitted == true else { break }
                try emit(part)
            }
        }
    }
}

/// SOFFSET and SLIMIT over a statement's series as they are produced: only series with
/// rows count, as when the whole answer is filtered first.
struct SeriesSlots {
    var offset: Int
    var limit: Int
    private var admitted = 0

    init(offset: Int, limit: Int) {
        self.offset = offset
        self.limit = limit
    }

    var isFull: Bool { limit > 0 && admitted >= limit }

    /// Whether the next series with rows is part of the answer.
    mutating func admit() -> Bool {
        if offset > 0 {
            offset -= 1
            return false
        }
        guard !isFull else { return false }
        admitted += 1
        return true
    }
}

/// OFFSET and LIMIT over one series' rows as they come, part by part.
struct RowWindowLimit {
    var offset: Int
    /// Rows still to give; nil: no LIMIT.
    var left: Int?

    init(offset: Int, limit: Int) {
        self.offset = offset
        left = limit > 0 ? limit : nil
    }

    var isDone: Bool { left == 0 }

    mutating func take(_ rows: [[QueryValue]]) -> [[QueryValue]] {
        var rows = rows[...]
        if offset > 0 {
            let skipped = Swift.min(offset, rows.count)
            rows = rows.dropFirst(skipped)
            offset -= skipped
        }
        if let n = left {
            rows = rows.prefix(n)
            left = n - rows.count
        }
        return Array(rows)
    }
}
