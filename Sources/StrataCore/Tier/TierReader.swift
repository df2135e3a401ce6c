// See docs/format/tier.md.

/// Reads one series' buckets of a tier file back as block summaries (the stats a reducer
/// folds), with absolute times.
struct TierReader: Sendable {
    let file: SegmentReader
    let resolution: Int64

    /// One bucket of the tier: its start, and its summary for the requested fields, nil when
    /// an integer or unsigned sum overflowed (the bucket must then be read from raw rows).
    struct Bucket: Sendable, Equatable {
        var start: Int64
        var summary: BlockSummary?
    }

    /// The fields of a tier series that have every tier column, without validating types
    /// (planning uses it; `buckets` validates).
    static func rolledUpFields(_ fields: [SegmentField]) -> Set<String> {
        var parts: [String: Int] = [:]
        for f in fields {
            if let (field, _) = TierColumns.parse(f.name) { parts[field, default: 0] += 1 }
        }
        return Set(parts.filter { $0.value == TierColumns.Part.allCases.count }.keys)
    }

    /// The buckets of `series` starting in `starts` that hold a value, for `fields` (nil: all).
    /// Throws, naming the file, on a column this build does not know or a column of the
    /// wrong type: guessing at it could return wrong numbers.
    func buckets(of series: SegmentSeries, starts: ClosedRange<Int64>, fields: Set<String>?) throws -> [Bucket] {
        let types = try fieldTypes(of: series)
        let wanted = types.filter { fields?.contains($0.key) ?? true }
        guard !wanted.isEmpty else { return [] }
        let columns = Set(wanted.keys.flatMap { f in TierColumns.Part.allCases.map { TierColumns.name(f, $0) } })
        let rows = try file.rows(of: series, range: starts, fields: columns)
        var out: [Bucket] = []
        out.reserveCapacity(rows.count)
        for r in 0..<rows.count {
            out.append(try bucket(rows, row: r, fields: wanted))
        }
        return out
    }

    private func bucket(_ rows: SeriesRows, row r: Int, fields: [String: FieldType]) throws -> Bucket {
        let start = rows.timestamps[r]
        var stats: [String: BlockStats] = [:]
        var rowCount = 0
        var summarizable = true
        for (field, type) in fields {
            func value(_ part: TierColumns.Part) -> FieldValue? {
                rows.columns[TierColumns.name(field, part)]?.value(at: r)
            }
            func time(_ part: TierColumns.Part) throws -> Int64 {
                guard case .integer(let offset)? = value(part), offset >= 0, offset < resolution else {
                    throw corrupt("bucket \(start) of \(rows.key): \(field) \(part.rawValue) is missing or outside the bucket")
                }
                return start + offset
            }
            guard case .integer(let count)? = value(.count) else { continue }
            guard count > 0, let first = value(.first), let last = value(.last), let min = value(.min),
                  let max = value(.max) else {
                throw corrupt("bucket \(start) of \(rows.key): \(field) has a count of \(count) without its values")
            }
            var s = BlockStats(count: Int(count), first: first, firstTime: try time(.tfirst), last: last,
                               lastTime: try time(.tlast))
            (s.min, s.max, s.minTime, s.maxTime) = (min, max, try time(.tmin), try time(.tmax))
            s.sum = value(.sum)
            if s.sum == nil {
                // Float sums are always there; an integer sum is absent only when it overflowed.
                guard type != .float else { throw corrupt("bucket \(start) of \(rows.key): \(field) has no sum") }
                summarizable = false
            }
            stats[field] = s
            rowCount = Swift.max(rowCount, Int(count))
        }
        guard summarizable else { return Bucket(start: start, summary: nil) }
        return Bucket(start: start, summary: BlockSummary(minTime: start, maxTime: start + (resolution - 1),
                                                          rowCount: rowCount, fields: stats))
    }

    /// Every rolled-up field of the series and its type, checking every column's name and type.
    private func fieldTypes(of series: SegmentSeries) throws -> [String: FieldType] {
        var types: [String: FieldType] = [:]
        var counts: [String: Int] = [:]
        for column in series.fields {
            guard let (field, part) = TierColumns.parse(column.name) else {
                throw corrupt("unknown tier column \"\(column.name)\" in \(series.key)")
            }
            switch part {
            case .count, .tfirst, .tlast, .tmin, .tmax:
                guard column.type == .integer else { throw corrupt("tier column \"\(column.name)\" is not integer") }
            case .sum, .min, .max, .first, .last:
                guard TierColumns.isRolledUp(column.type), types[field].map({ $0 == column.type }) ?? true else {
                    throw corrupt("tier column \"\(column.name)\" has type \(column.type)")
                }
                types[field] = column.type
            }
            counts[field, default: 0] += 1
        }
        for (field, n) in counts where n != TierColumns.Part.allCases.count || types[field] == nil {
            throw corrupt("field \(field) of \(series.key) has \(n) of \(TierColumns.Part.allCases.count) tier columns")
        }
        return types
    }

    private func corrupt(_ reason: String) -> EngineError {
        EngineError.corruptSegment(path: file.path, reason: reason)
    }
}
