// See docs/format/tier.md ("Columns") and docs/tiers.md ("How a scan reads a tier").

/// One series' tier buckets as decoded columns, looked up per field once: a run of
/// consecutive buckets folds into one summary without a dictionary or a column name per
/// bucket.
struct TierBucketColumns: Sendable {
    let key: SeriesKey
    let resolution: Int64
    /// The tier file, for errors.
    let path: String
    /// Bucket starts, ascending.
    var starts: [Int64]
    var fields: [Field]

    /// One field's columns; nil where `parts` leaves a column out. A class: every fold
    /// over a run reads it, and a struct of ten columns was copied (a retain and release of
    /// each column's arrays) per run, ~8% of a 15-minute mean over the month.
    final class Field: Sendable {
        let name: String
        let type: FieldType
        let parts: SummaryParts
        let count, tfirst, tlast: ColumnData?
        let sum, min, max, first, last, tmin, tmax: ColumnData?

        init(name: String, type: FieldType, parts: SummaryParts, column: (TierColumns.Part) -> ColumnData?) {
            self.name = name
            self.type = type
            self.parts = parts
            (count, tfirst, tlast) = (column(.count), column(.tfirst), column(.tlast))
            (sum, first, last) = (column(.sum), column(.first), column(.last))
            (min, max, tmin, tmax) = (column(.min), column(.max), column(.tmin), column(.tmax))
        }
    }

    /// Buckets `rows` (consecutive) as one summary spanning them, folded as
    /// `BlockSummary.merged` folds summaries; nil when one of them cannot be summarized (an
    /// integer sum that overflowed) or holds no value. Throws on a bucket whose columns
    /// contradict each other.
    func summary(_ rows: Range<Int>) throws -> BlockSummary? {
        guard let firstRow = rows.first, let lastRow = rows.last else { return nil }
        var stats = SummaryFields()
        // A bucket's rows: its greatest count over the fields (one field: the count itself,
        // so no array is needed).
        var rowCounts = fields.count > 1 ? [Int](repeating: 0, count: rows.count) : []
        for f in fields {
            if f.type == .float {
                if let folded = try foldFloats(f, rows, rowCounts: &rowCounts) { stats[f.name] = folded }
                continue
            }
            var folded: BlockStats?
            for r in rows {
                guard let one = try bucketStats(of: f, row: r) else {
                    if f.count?.valid[r] == true { return nil }  // unsummarizable
                    continue
                }
                if !rowCounts.isEmpty { rowCounts[r - firstRow] = Swift.max(rowCounts[r - firstRow], one.count) }
                if let earlier = folded {
                    guard let merged = earlier.merged(with: one) else { return nil }
                    folded = merged
                } else {
                    folded = one
                }
            }
            if let folded { stats[f.name] = folded }
        }
        guard !stats.isEmpty else { return nil }
        let rowCount = rowCounts.isEmpty ? stats.reduce(0) { $0 + $1.value.count } : rowCounts.reduce(0, +)
        return BlockSummary(minTime: starts[firstRow], maxTime: starts[lastRow] + (resolution - 1),
                            rowCount: rowCount, fields: stats)
    }

    /// A float field's buckets `rows` folded on the columns' arrays, as `BlockStats.merged`
    /// folds them (sums added in bucket order; a strictly smaller or greater value replaces
    /// the extreme, so ties keep the earlier point); nil when no bucket holds a value. The
    /// hot path of hourly and 15-minute means: no value is boxed per bucket.
    private func foldFloats(_ f: Field, _ rows: Range<Int>, rowCounts: inout [Int]) throws -> BlockStats? {
        guard let countColumn = f.count else { return nil }
        let counts = countColumn.integers, valid = countColumn.valid
        var total = 0
        var sum: Double?
        var firstRow = -1, lastRow = -1, minRow = -1, maxRow = -1
        let sums = f.parts.contains(.sum) ? f.sum : nil
        let mins = f.parts.contains(.min) ? f.min : nil
        let maxs = f.parts.contains(.max) ? f.max : nil
        for r in rows where valid[r] {
            let count = counts[r]
            guard count > 0 else {
                throw corrupt("bucket \(starts[r]) of \(key): \(f.name) has a count of \(count) without its values")
            }
            total += Int(count)
            if !rowCounts.isEmpty { rowCounts[r - rows.lowerBound] = Swift.max(rowCounts[r - rows.lowerBound], Int(count)) }
            if firstRow < 0 { firstRow = r }
            lastRow = r
            if let sums {
                guard sums.valid[r] else { throw corrupt("bucket \(starts[r]) of \(key): \(f.name) has no sum") }
                sum = sum.map { $0 + sums.floats[r] } ?? sums.floats[r]
            }
            if let mins {
                guard mins.valid[r] else { throw missing(f, r, .min) }
                if minRow < 0 || mins.floats[r] < mins.floats[minRow] { minRow = r }
            }
            if let maxs {
                guard maxs.valid[r] else { throw missing(f, r, .max) }
                if maxRow < 0 || maxs.floats[r] > maxs.floats[maxRow] { maxRow = r }
            }
        }
        guard firstRow >= 0 else { return nil }
        // Values and times of the buckets that stand, checked as the generic path checks them.
        let first = try bucketStats(of: f, row: firstRow)!
        let last = lastRow == firstRow ? first : try bucketStats(of: f, row: lastRow)!
        var out = first
        out.count = total
        (out.last, out.lastTime) = (last.last, last.lastTime)
        if let sum { out.sum = .float(sum) }
        if minRow >= 0 {
            let m = minRow == firstRow ? first : try bucketStats(of: f, row: minRow)!
            (out.min, out.minTime) = (m.min, m.minTime)
        }
        if maxRow >= 0 {
            let m = maxRow == firstRow ? first : try bucketStats(of: f, row: maxRow)!
            (out.max, out.maxTime) = (m.max, m.maxTime)
        }
        return out
    }

    private func missing(_ f: Field, _ r: Int, _ part: TierColumns.Part) -> EngineError {
        corrupt("bucket \(starts[r]) of \(key): \(f.name) has a count without its \(part.rawValue)")
    }

    /// The stats of field `f` in bucket `r`; nil where it has no value there, or (with
    /// `count` valid) where its integer sum overflowed.
    private func bucketStats(of f: Field, row r: Int) throws -> BlockStats? {
        guard let countColumn = f.count, countColumn.valid[r] else { return nil }
        let start = starts[r]
        let count = countColumn.integers[r]
        guard count > 0 else {
            throw corrupt("bucket \(start) of \(key): \(f.name) has a count of \(count) without its values")
        }
        func value(_ column: ColumnData?, _ part: TierColumns.Part) throws -> FieldValue {
            guard let column, column.valid[r], let v = column.value(at: r) else {
                throw corrupt("bucket \(start) of \(key): \(f.name) has a count of \(count) without its \(part.rawValue)")
            }
            return v
        }
        func time(_ column: ColumnData?, _ part: TierColumns.Part) throws -> Int64 {
            guard let column, column.valid[r], case let offset = column.integers[r], offset >= 0, offset < resolution else {
                throw corrupt("bucket \(start) of \(key): \(f.name) \(part.rawValue) is missing or outside the bucket")
            }
            return start + offset
        }
        // Not decoded (`SummaryParts`): NaN, so a reader that folds it anyway shows it.
        let placeholder = FieldValue.float(.nan)
        var s = BlockStats(count: Int(count),
                           first: f.parts.contains(.first) ? try value(f.first, .first) : placeholder,
                           firstTime: try time(f.tfirst, .tfirst),
                           last: f.parts.contains(.last) ? try value(f.last, .last) : placeholder,
                           lastTime: try time(f.tlast, .tlast))
        if f.parts.contains(.min) { (s.min, s.minTime) = (try value(f.min, .min), try time(f.tmin, .tmin)) }
        if f.parts.contains(.max) { (s.max, s.maxTime) = (try value(f.max, .max), try time(f.tmax, .tmax)) }
        if f.parts.contains(.sum) {
            if let column = f.sum, column.valid[r] {
                s.sum = column.value(at: r)
            } else {
                // Float sums are always there; an integer sum is absent only when it overflowed.
                guard f.type != .float else { throw corrupt("bucket \(start) of \(key): \(f.name) has no sum") }
                return nil
            }
        }
        return s
    }

    private func corrupt(_ reason: String) -> EngineError {
        EngineError.corruptSegment(path: path, reason: reason)
    }
}
