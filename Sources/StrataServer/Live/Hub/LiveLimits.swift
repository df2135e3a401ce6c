/// Fixed limits of the protocol (the tunable ones are in `LiveConfiguration`).
enum LiveLimits {
    /// A subscription id is repeated in each of its messages; 128 bytes is far more than
    /// any client-chosen name needs and keeps the per-message prefix small.
    static let maxIDBytes = 128
    /// `last` larger than this would be a full history replay in disguise; 100,000 rows per
    /// series is ~100 s at 1 kHz, beyond what a chart or a resuming client asks for.
    static let maxLast = 100_000
    /// A history chunk ends at this many rows (one page of a chart; ~30–60 KiB of JSON for
    /// a few fields) ...
    static let historyChunkRows = 1_000
    /// ... or at about this many bytes, below the 256 KiB that browsers and proxies handle
    /// as one frame without trouble.
    static let historyChunkBytes = 256 << 10
    /// Closed windows an `every` subscription may replay as history: one message each;
    /// 10,000 is a day of 10 s windows or ~3 hours of 1 s windows, more than a chart shows.
    static let maxHistoryWindows: Int64 = 10_000
}
