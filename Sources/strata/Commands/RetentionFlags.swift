import ArgumentParser
import StrataCore

/// The retention, partitioning and compaction flags `strata serve` and `strata compact`
/// share: they set `EngineOptions.defaultRetention` (what a database no statement
/// configured uses) and the compaction rate (docs/cli.md, "Retention and rollups").
struct RetentionFlags: ParsableArguments {
    @Option(name: .customLong("raw-retention"),
            help: "How long raw data is kept: a duration such as 7d, 36h, 2w, or inf (default inf).")
    var rawRetention: String?

    @Option(name: .customLong("shard-duration"),
            help: "Time partition of raw data and tiers: a duration dividing a day or a multiple of one (default 1d).")
    var shardDuration: String?

    @Option(name: .customLong("rollups"),
            help: "Rollup tiers: name=resolution[:retention],... or none (default rollup_1m=1m,rollup_1h=1h, kept forever).")
    var rollups: String?

    @Option(name: .customLong("compaction-rate"),
            help: "Most bytes a second compaction writes, with an optional K, M or G suffix (default 32M).")
    var compactionRate: String?

    func validate() throws {
        _ = try retention()
        _ = try bytesPerSecond()
    }

    /// `options` with these flags applied.
    func apply(to options: inout EngineOptions) throws {
        options.defaultRetention = try retention()
        if let rate = try bytesPerSecond() { options.compactionBytesPerSecond = rate }
    }

    func retention() throws -> DatabaseRetention {
        var r = DatabaseRetention.standard
        if let text = rawRetention {
            r.rawDuration = try Self.duration(text, flag: "--raw-retention", allowInfinite: true)
        }
        if let text = shardDuration {
            // Not infinite: a partition must end for retention to drop it.
            r.partitionDuration = try Self.duration(text, flag: "--shard-duration", allowInfinite: false)!
        }
        if let text = rollups { r.tiers = try Self.tiers(text) }
        r = DatabaseRetention(rawDuration: r.rawDuration, partitionDuration: r.partitionDuration, tiers: r.tiers)
        if let problem = r.validationError() {
            throw ValidationError("--raw-retention, --shard-duration and --rollups do not fit together: \(problem)")
        }
        return r
    }

    func bytesPerSecond() throws -> Int? {
        guard let text = compactionRate else { return nil }
        guard let bytes = Self.bytes(text), bytes > 0 else {
            throw ValidationError("--compaction-rate must be a positive number of bytes a second such as 8M or 500K, got \"\(text)\"")
        }
        return bytes
    }

    /// `name=resolution[:retention]`, comma-separated, or `none`.
    static func tiers(_ text: String) throws -> [RollupTier] {
        if text.lowercased() == "none" { return [] }
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--rollups takes name=resolution[:retention],... or none; \"\(item)\" has no name=resolution")
            }
            let spec = parts[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let resolution = try duration(String(spec[0]), flag: "--rollups (resolution of \(parts[0]))", allowInfinite: false)!
            let kept = spec.count == 2
                ? try duration(String(spec[1]), flag: "--rollups (retention of \(parts[0]))", allowInfinite: true) : nil
            return RollupTier(name: String(parts[0]), resolution: resolution, duration: kept)
        }
    }

    /// Nanoseconds of `90s`, `15m`, `36h`, `7d`, `2w` (a whole number and a unit); nil for
    /// `inf` where allowed.
    static func duration(_ text: String, flag: String, allowInfinite: Bool) throws -> Int64? {
        if allowInfinite, text.lowercased() == "inf" { return nil }
        guard case .success(let ns) = DurationText.parse(text, .flag(unitRequired: true)), ns > 0 else {
            let forms = allowInfinite ? "a duration such as 90s, 15m, 36h, 7d or 2w, or inf" : "a duration such as 90s, 15m, 36h, 7d or 2w"
            throw ValidationError("\(flag) must be \(forms), got \"\(text)\"")
        }
        return ns
    }

    /// `1048576`, `512K`, `8M`, `1G` (binary multiples).
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last?.uppercased().first, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let count = Int(digits), count >= 0 else { return nil }
        let (total, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : total
    }
}
