// See docs/format/tier.md ("Columns") and docs/tiers.md ("How a scan reads a tier").

/// One series' tier buckets as decoded columns, looked up per field once: a run of
/// consecutive buckets folds into one summary without a dictionary or a column name per
/// bucket. A class: every plan step that reads the tier takes it, and copying a struct of a
/// key, a path and arrays retained each of them.
final class TierBucketColumns: Sendable {
    let key: SeriesKey
    let resolution: Int64
    /// The tier file, for errors.
    let path: String
    /// Bucket starts, ascending.
    let starts: [Int64]
    let fields: [Field]
    /// The fields' names, in order.
    let names: [String]

    init(key: SeriesKey, resolution: Int64, path: String, starts: [Int64], fields: [Field]) {
        self.key = key
        self.resolution = resolution
        self.path = path
        self.starts = starts
        self.fields = fields
        names = fields.map(\.name)
    }

    /// One field's columns; nil where `parts` leaves a column out. A class: every fold
    /// over a run reads it, and a struct of ten columns was copied (a retain and release of
    /// each column's arrays) per run, ~8% of a 15-minute mean over the month.
    final class Field: Sendable {
        let name: String
        let type: FieldType
        let parts: SummaryParts
        let count, tfirst, tlast: ColumnData?
        let sum, min, max, first, last, tmin, tmax: ColumnData?
        /// The arrays the float fold reads per bucket, found once per tier read; empty where
        /// the column is absent or `parts` leaves it out. Binding a `ColumnData` per run
        /// retained and released its six arrays, ~10% of a 15-minute mean over the month.
        let counts: [Int64], present: [Bool]
        let sums, mins, maxs: [Double]
        let sumValid, minValid, maxValid: [Bool]

        init(name: String, type: FieldType, parts: SummaryParts, column: (TierColumns.Part) -> ColumnData?) {
            self.name = name
            self.type = type
            self.parts = parts
            (count, tfirst, tlast) = (column(.count), column(.tfirst), column(.tlast))
            (sum, first, last) = (column(.sum), column(.first), column(.last))
            (min, max, tmin, tmax) = (column(.min), column(.max), column(.tmin), column(.tmax))
            (counts, present) = (count?.integers ?? [], count?.valid ?? [])
            func floats(_ part: SummaryParts, _ column: ColumnData?) -> ([Double], [Bool]) {
                guard parts.contains(part), let column, column.type == .float else { return ([], []) }
                return (column.floats, column.valid)
            }
            (sums, sumValid) = floats(.sum, sum)
            (mins, minValid) = floats(.min, min)
            (maxs, maxValid) = floats(.max, max)
        }
    }

    /// Buckets `rows` (consecutive) as one summary spanning them, folded as
    /// `BlockSummary.merged` folds summaries; nil when one of them cannot be summarized (an
    /// integer sum that overflowed) or holds no value. Throws on a bucket whose columns
    /// contradict each other.
    func summary(_ rows: Range<Int>) throws -> BlockSummary? {
        var packed: [PackedStats] = []
        guard let rowCount = try fold(rows, into: &packed), let firstRow = rows.first, let lastRow = rows.last else {
            return nil
        }
        var stats = SummaryFields()
        for (f, p) in zip(fields, packed) where p.count > 0 { stats[f.name] = p.stats }
        return BlockSummary(minTime: starts[firstRow], maxTime: starts[lastRow] + (resolution - 1),
                            rowCount: rowCount, fields: stats)
    }

    /// Buckets `rows` (consecutive) folded per field, as `BlockSummary.merged` folds
    /// summaries, into `out`: one entry per field of `fields`, in their order,
    /// `PackedStats.absent` where the field has no value. Returns the rows the buckets stand
    /// for; nil when one of them cannot be summarized (an integer sum that overflowed) or
    /// none holds a value. Packed, not as a `BlockSummary`: a 15-minute mean over the month
    /// folds 288,000 runs, and a dictionary of boxed stats each was a third of its time.
    func fold(_ rows: Range<Int>, into out: inout [PackedStats]) throws -> Int? {
        out.removeAll(keepingCapacity: true)
        guard !rows.isEmpty else { return nil }
        // A bucket's rows: its greatest count over the fields (one field: the count itself,
        // so no array is needed).
        var rowCounts = fields.count > 1 ? [Int](repeating: 0, count: rows.count) : []
        var total = 0
        for f in fields {
            let folded = f.type == .float
                ? try foldFloats(f, rows, rowCounts: &rowCounts)
                : try foldOthers(f, rows, rowCounts: &rowCounts)
            guard let folded else { return nil }
            out.append(folded)
            total += folded.count
        }
        guard total > 0 else { return nil }
        return rowCounts.isEmpty ? total : rowCounts.reduce(0, +)
    }

    /// An integer or unsigned field's buckets `rows` folded through `BlockStats.merged`;
    /// nil when one cannot be summarized, `absent` when none holds a value.
    private func foldOthers(_ f: Field, _ rows: Range<Int>, rowCounts: inout [Int]) throws -> PackedStats? {
        var folded: BlockStats?
        for r in rows {
            guard let one = try bucketStats(of: f, row: r) else {
                if f.count?.valid[r] == true { return nil }  // unsummarizable
                continue
            }
            if !rowCounts.isEmpty { rowCounts[r - rows.lowerBound] = Swift.max(rowCounts[r - rows.lowerBound], one.count) }
            if let earlier = folded {
                guard let merged = earlier.merged(with: one) else { return nil }
                folded = merged
            } else {
                folded = one
            }
        }
        guard let folded else { return .absent }
        return PackedStats(folded)
    }

    /// A float field's buckets `rows` folded on the columns' arrays, as `BlockStats.merged`
    /// folds them (sums added in bucket order; a strictly smaller or greater value replaces
    /// the extreme, so ties keep the earlier point); `absent` when no bucket holds a value.
    /// The hot path of hourly and 15-minute means: no value is boxed per bucket.
    private func foldFloats(_ f: Field, _ rows: Range<Int>, rowCounts: inout [Int]) throws -> PackedStats {
        guard f.count != nil else { return .absent }
        var total = 0
        var sum: Double?
        var firstRow = -1, lastRow = -1, minRow = -1, maxRow = -1
        let (sums, mins, maxs) = (!f.sumValid.isEmpty, !f.minValid.isEmpty, !f.maxValid.isEmpty)
        for r in rows where f.present[r] {
            let count = f.counts[r]
            guard count > 0 else {
                throw corrupt("bucket \(starts[r]) of \(key): \(f.name) has a count of \(count) without its values")
            }
            total += Int(count)
            if !rowCounts.isEmpty { rowCounts[r - rows.lowerBound] = Swift.max(rowCounts[r - rows.lowerBound], Int(count)) }
            if firstRow < 0 { firstRow = r }
            lastRow = r
            if sums {
                guard f.sumValid[r] else { throw corrupt("bucket \(starts[r]) of \(key): \(f.name) has no sum") }
                sum = sum.map { $0 + f.sums[r] } ?? f.sums[r]
            }
            if mins {
                guard f.minValid[r] else { throw missing(f, r, .min) }
                if minRow < 0 || f.mins[r] < f.mins[minRow] { minRow = r }
            }
            if maxs {
                guard f.maxValid[r] else { throw missing(f, r, .max) }
                if maxRow < 0 || f.maxs[r] > f.maxs[maxRow] { maxRow = r }
            }
        }
        guard firstRow >= 0 else { return .absent }
        // Values and times of the buckets that stand, checked as `bucketStats` checks them.
        // Not decoded (`SummaryParts`): NaN, so a reader that folds it anyway shows it.
        let first = f.parts.contains(.first) ? try float(f.first, f, firstRow, .first) : .nan
        let last = f.parts.contains(.last) ? try float(f.last, f, lastRow, .last) : .nan
        return PackedStats(floats: total, first: first, firstTime: try firstTime(f, firstRow),
                           last: last, lastTime: try lastTime(f, lastRow),
                           min: minRow < 0 ? nil : (f.mins[minRow], try time(f.tmin, f, minRow, .tmin)),
                           max: maxRow < 0 ? nil : (f.maxs[maxRow], try time(f.tmax, f, maxRow, .tmax)),
                           sum: sum)
    }

    private func float(_ column: ColumnData?, _ f: Field, _ r: Int, _ part: TierColumns.Part) throws -> Double {
        guard let column, column.valid[r] else { throw missing(f, r, part) }
        return column.floats[r]
    }

    /// The time of field `f`'s first value in bucket `r`; the bucket's start where that
    /// column was left out (`SummaryParts`).
    private func firstTime(_ f: Field, _ r: Int) throws -> Int64 {
        f.tfirst == nil ? starts[r] : try time(f.tfirst, f, r, .tfirst)
    }

    /// The time of field `f`'s last value in bucket `r`; the bucket's end where that column
    /// was left out.
    private func lastTime(_ f: Field, _ r: Int) throws -> Int64 {
        f.tlast == nil ? starts[r] + (resolution - 1) : try time(f.tlast, f, r, .tlast)
    }

    /// Bucket `r`'s time of `part`: its start plus the column's offset, which lies inside it.
    private func time(_ column: ColumnData?, _ f: Field, _ r: Int, _ part: TierColumns.Part) throws -> Int64 {
        guard let column, column.valid[r], case let offset = column.integers[r], offset >= 0, offset < resolution else {
            throw corrupt("bucket \(starts[r]) of \(key): \(f.name) \(part.rawValue) is missing or outside the bucket")
        }
        return starts[r] + offset
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
            guard let column, column.valid[r], let v = column.value(at: r) else { throw missing(f, r, part) }
            return v
        }
        func time(_ column: ColumnData?, _ part: TierColumns.Part) throws -> Int64 {
            try self.time(column, f, r, part)
        }
        // Not decoded (`SummaryParts`): NaN, so a reader that folds it anyway shows it.
        let placeholder = FieldValue.float(.nan)
        var s = BlockStats(count: Int(count),
                           first: f.parts.contains(.first) ? try value(f.first, .first) : placeholder,
                           firstTime: try firstTime(f, r),
                           last: f.parts.contains(.last) ? try value(f.last, .last) : placeholder,
                           lastTime: try lastTime(f, r))
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
