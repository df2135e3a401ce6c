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
    /// Only the columns of `parts` are decoded (with the count, always); the stats of other
    /// parts are placeholders (`SummaryRequest`, `SummaryParts`).
    /// Throws, naming the file, on a column this build does not know or a column of the
    /// wrong type: guessing at it could return wrong numbers.
    func buckets(of series: SegmentSeries, starts: ClosedRange<Int64>, fields: Set<String>?,
                 parts: SummaryParts = .all) throws -> [Bucket] {
        let columns = try self.columns(of: series, starts: starts, fields: fields, parts: parts)
        return try columns.starts.indices.map { r in
            Bucket(start: columns.starts[r], summary: try columns.summary(r..<(r + 1)))
        }
    }

    /// The decoded tier columns of `series`' buckets starting in `starts` (see `buckets`).
    func columns(of series: SegmentSeries, starts: ClosedRange<Int64>, fields: Set<String>?,
                 parts: SummaryParts = .all) throws -> TierBucketColumns {
        let types: [String: FieldType]
        if let checked = series.tierFieldTypes {
            types = checked
        } else {
            do { types = try Self.fieldTypes(of: series.fields) } catch { throw corrupt("\(error.reason) in \(series.key)") }
        }
        let wanted = types.filter { fields?.contains($0.key) ?? true }.sorted { $0.key < $1.key }
        guard !wanted.isEmpty else {
            return TierBucketColumns(key: series.key, resolution: resolution, path: file.path, starts: [], fields: [])
        }
        let needed = Self.columns(for: parts)
        let names = Set(wanted.flatMap { f in needed.map { TierColumns.name(f.key, $0) } })
        let rows = try file.rows(of: series, range: starts, fields: names)
        // Each field's columns are found once, not by name for every bucket.
        let columns = wanted.map { field, type in
            TierBucketColumns.Field(name: field, type: type, parts: parts) { part in
                needed.contains(part) ? rows.columns[TierColumns.name(field, part)] : nil
            }
        }
        return TierBucketColumns(key: series.key, resolution: resolution, path: file.path, starts: rows.timestamps,
                                 fields: columns)
    }

    /// The tier columns a summary with `parts` needs.
    static func columns(for parts: SummaryParts) -> [TierColumns.Part] {
        var needed: [TierColumns.Part] = [.count]
        if !parts.isDisjoint(with: [.first, .valueTimes]) { needed.append(.tfirst) }
        if !parts.isDisjoint(with: [.last, .valueTimes]) { needed.append(.tlast) }
        if parts.contains(.sum) { needed.append(.sum) }
        if parts.contains(.min) { needed += [.min, .tmin] }
        if parts.contains(.max) { needed += [.max, .tmax] }
        if parts.contains(.first) { needed.append(.first) }
        if parts.contains(.last) { needed.append(.last) }
        return needed
    }

    /// Why a tier series' columns do not fit the tier layout.
    struct LayoutProblem: Error {
        var reason: String
    }

    /// Every rolled-up field of a tier series and its type, checking every column's name
    /// and type.
    static func fieldTypes(of columns: [SegmentField]) throws(LayoutProblem) -> [String: FieldType] {
        var types: [String: FieldType] = [:]
        var counts: [String: Int] = [:]
        for column in columns {
            guard let (field, part) = TierColumns.parse(column.name) else {
                throw LayoutProblem(reason: "unknown tier column \"\(column.name)\"")
            }
            switch part {
            case .count, .tfirst, .tlast, .tmin, .tmax:
                guard column.type == .integer else { throw LayoutProblem(reason: "tier column \"\(column.name)\" is not integer") }
            case .sum, .min, .max, .first, .last:
                guard TierColumns.isRolledUp(column.type), types[field].map({ $0 == column.type }) ?? true else {
                    throw LayoutProblem(reason: "tier column \"\(column.name)\" has type \(column.type)")
                }
                types[field] = column.type
            }
            counts[field, default: 0] += 1
        }
        for (field, n) in counts where n != TierColumns.Part.allCases.count || types[field] == nil {
            throw LayoutProblem(reason: "field \(field) has \(n) of \(TierColumns.Part.allCases.count) tier columns")
        }
        return types
    }

    private func corrupt(_ reason: String) -> EngineError {
        EngineError.corruptSegment(path: file.path, reason: reason)
    }
}
