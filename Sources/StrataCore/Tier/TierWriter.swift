// See docs/format/tier.md.

/// Builds a tier file's bytes: per series and numeric field, one row per non-empty bucket of
/// `resolution` holding count, sum, min, max, first, last and their times, as columns of a
/// segment file (the format is the segment format; `TierColumns` names the columns).
///
/// Call order: `add` per series in (database, key) order, each with the series' complete,
/// sorted, de-duplicated rows of one partition; then `finish` once. A series without numeric
/// fields adds nothing; `finish` on a writer that was given nothing returns a valid file
/// with no series.
struct TierWriter {
    let resolution: Int64
    private var segment = SegmentWriter()

    init(resolution: Int64) {
        precondition(resolution > 0, "a tier's resolution must be positive")
        self.resolution = resolution
    }

    /// Buckets written so far (tier rows).
    private(set) var rows = 0
    var seriesCount: Int { segment.seriesCount }

    mutating func add(database: String, rows data: SeriesRows) {
        let buckets = TierBuckets.rows(of: data, resolution: resolution)
        guard buckets.count > 0 else { return }
        segment.add(database: database, rows: buckets)
        rows += buckets.count
    }

    mutating func finish() -> [UInt8] {
        segment.finish()
    }
}
