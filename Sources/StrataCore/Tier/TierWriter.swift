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

    init(resolution: Int64) {
        self.resolution = resolution
    }

    /// Buckets written so far (tier rows).
    private(set) var rows = 0
    var seriesCount: Int { 0 }

    mutating func add(database: String, rows data: SeriesRows) {
        // Skeleton: implemented by the tier work.
    }

    mutating func finish() -> [UInt8] {
        SegmentWriter().finish()
    }
}
