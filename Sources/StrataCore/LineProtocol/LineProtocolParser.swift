/// Parses InfluxDB line protocol into `Point`s; the accepted syntax, limits and error wording
/// are in docs/line-protocol.md.
///
/// A value type with no shared state: every `parse` call builds its own caches, so one parser
/// can be used from any number of tasks at once.
public struct LineProtocolParser: Sendable {
    public var precision: TimeUnit
    public var limits: LineProtocolLimits

    public init(precision: TimeUnit = .nanoseconds, limits: LineProtocolLimits = LineProtocolLimits()) {
        self.precision = precision
        self.limits = limits
    }

    /// Parses a whole body; bad lines go to `errors`, good ones to `points` (a bad line never
    /// stops the rest). Lines without a timestamp get `defaultTimestamp` (ns). Timestamps in the
    /// body are in `precision` units and are converted to ns.
    public func parse(_ body: [UInt8], defaultTimestamp: Int64) -> ParsedLines {
        body.withUnsafeBytes { parse($0, defaultTimestamp: defaultTimestamp) }
    }

    public func parse(_ body: UnsafeRawBufferPointer, defaultTimestamp: Int64) -> ParsedLines {
        var result = ParsedLines()
        run(body, defaultTimestamp: defaultTimestamp, into: &result)
        return result
    }

    /// Parses a whole body straight into per-series columns (`ParsedColumns`), under the
    /// same rules as `parse`: the write path's form, with no `Point` per line.
    public func parseColumns(_ body: UnsafeRawBufferPointer, defaultTimestamp: Int64) -> ParsedColumns {
        var builder = ParsedColumnsBuilder()
        run(body, defaultTimestamp: defaultTimestamp, into: &builder)
        return builder.finish()
    }

    /// Scans `body` into `sink`; an empty body gives it nothing.
    private func run<Sink: LineSink>(_ body: UnsafeRawBufferPointer, defaultTimestamp: Int64, into sink: inout Sink) {
        guard let base = body.baseAddress, !body.isEmpty else { return }
        var scanner = LineScanner(
            body: base.assumingMemoryBound(to: UInt8.self),
            count: body.count,
            multiplier: precision.nanosecondsPerUnit,
            limits: limits,
            defaultTimestamp: defaultTimestamp
        )
        scanner.run(into: &sink)
    }

    public func parseColumns(_ body: [UInt8], defaultTimestamp: Int64) -> ParsedColumns {
        body.withUnsafeBytes { parseColumns($0, defaultTimestamp: defaultTimestamp) }
    }
}
