// See docs/format/tier.md ("Columns" and "Buckets").

/// The bucket arithmetic and the rollup of raw rows into tier rows, shared by the writer and
/// the readers.
enum TierBuckets {
    /// The start of the bucket of `resolution` holding `t`: epoch-aligned, floor division,
    /// so pre-1970 times fall in the bucket that starts at or before them.
    static func start(_ t: Int64, resolution: Int64) -> Int64 {
        let r = t % resolution
        return r < 0 ? t - r - resolution : t - r
    }

    /// The tier rows of one series: one row per bucket in which some numeric field has a
    /// value, at the bucket's start, with the `TierColumns` of every numeric field.
    /// `data` is sorted by time with one row per timestamp.
    static func rows(of data: SeriesRows, resolution: Int64) -> SeriesRows {
        var out = SeriesRows(key: data.key)
        let numeric = data.columns.filter { TierColumns.isRolledUp($0.value.type) }
        guard data.count > 0, !numeric.isEmpty else { return out }
        var columns: [String: ColumnData] = [:]
        for (name, column) in numeric {
            for part in TierColumns.Part.allCases {
                columns[TierColumns.name(name, part)] = ColumnData(type: columnType(part, field: column.type))
            }
        }
        let times = data.timestamps
        var i = 0
        while i < times.count {
            let bucket = start(times[i], resolution: resolution)
            let end = times[i...].partitioningIndex { $0 >= bucket &+ resolution }
            let stats = numeric.map { ($0.key, BlockStats.compute($0.value, timestamps: times[...], rows: i..<end)) }
            // A bucket whose rows hold no numeric value gets no row.
            if stats.contains(where: { $0.1 != nil }) {
                out.timestamps.append(bucket)
                for (name, s) in stats { append(s, of: name, bucket: bucket, to: &columns) }
            }
            i = end
        }
        out.columns = columns
        return out
    }

    /// The type of a tier column of a field of type `field`.
    static func columnType(_ part: TierColumns.Part, field: FieldType) -> FieldType {
        switch part {
        case .sum, .min, .max, .first, .last: field
        case .count, .tfirst, .tlast, .tmin, .tmax: .integer
        }
    }

    private static func append(_ stats: BlockStats?, of field: String, bucket: Int64, to columns: inout [String: ColumnData]) {
        func put(_ part: TierColumns.Part, _ value: FieldValue?) {
            let name = TierColumns.name(field, part)
            if let value { columns[name]!.append(value) } else { columns[name]!.appendNull() }
        }
        put(.count, stats.map { .integer(Int64($0.count)) })
        put(.sum, stats?.sum)
        put(.min, stats?.min)
        put(.max, stats?.max)
        put(.first, stats?.first)
        put(.last, stats?.last)
        put(.tfirst, stats.map { .integer($0.firstTime - bucket) })
        put(.tlast, stats.map { .integer($0.lastTime - bucket) })
        put(.tmin, stats?.minTime.map { .integer($0 - bucket) })
        put(.tmax, stats?.maxTime.map { .integer($0 - bucket) })
    }
}
