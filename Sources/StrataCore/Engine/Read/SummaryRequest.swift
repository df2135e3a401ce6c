/// What a reader that folds summaries (`ScanChunk.summary`) needs of them. A scan given one
/// summarizes a span exactly when it lies in one of its buckets (`sameBucket`; the scan's
/// `canSummarize` is not asked), and may merge consecutive summaries of a series that fall in one of its buckets into one
/// summary, and read from rollup tiers only the stats in `parts`: an hourly mean over a
/// month then takes one summary per hour instead of sixty tier buckets, each with ten
/// columns decoded where two are used.
public struct SummaryRequest: Sendable, Equatable {
    /// The stats the reader folds; the others are left at placeholders in tier summaries
    /// (NaN for first and last values, so a misuse shows).
    public var parts: SummaryParts
    /// Summaries in one bucket [offset + k·interval, + interval) may come merged; 0: all
    /// of a series' summaries are in one bucket.
    public var interval: Int64
    public var offset: Int64

    public init(parts: SummaryParts = .all, interval: Int64, offset: Int64 = 0) {
        self.parts = parts
        self.interval = interval
        self.offset = offset
    }

    /// Whether `lo` and `hi` lie in one bucket: a scan given a request summarizes exactly
    /// such spans, in place of asking its `canSummarize`.
    func sameBucket(_ lo: Int64, _ hi: Int64) -> Bool {
        bucket(lo) == bucket(hi)
    }

    /// Whether every bucket of a tier of `resolution` lies in one of these buckets: their
    /// boundaries fall on the tier's (and with no interval, all is one bucket).
    public func takesWhole(resolution r: Int64) -> Bool {
        guard interval > 0 else { return true }
        return r > 0 && interval % r == 0 && ((offset % r) + r) % r == 0
    }

    /// The start of the bucket holding `t`.
    func bucket(_ t: Int64) -> Int64 {
        guard interval > 0 else { return 0 }
        var r = (t &- offset) % interval
        if r < 0 { r += interval }
        return t &- r
    }
}

/// Stats of a summary. `count` always comes. The times of the first and last value come
/// with `first`, `last` or `valueTimes`; without them a tier summary gives its buckets'
/// bounds in their place (the values lie between them), so a mean over a tier decodes two
/// columns fewer.
public struct SummaryParts: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let sum = SummaryParts(rawValue: 1 << 0)
    /// The least value and its time.
    public static let min = SummaryParts(rawValue: 1 << 1)
    /// The greatest value and its time.
    public static let max = SummaryParts(rawValue: 1 << 2)
    public static let first = SummaryParts(rawValue: 1 << 3)
    public static let last = SummaryParts(rawValue: 1 << 4)
    /// The times of the first and last value, without the values.
    public static let valueTimes = SummaryParts(rawValue: 1 << 5)
    public static let all: SummaryParts = [.sum, .min, .max, .first, .last, .valueTimes]
}
