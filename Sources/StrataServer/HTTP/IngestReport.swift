import StrataCore

/// What became of the lines of one body (an HTTP write or an import chunk): how many points
/// are durable, and each dropped line with why, in line order.
public struct IngestReport: Sendable, Equatable {
    public struct Drop: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number within the body.
        public var line: Int
        /// The parser's or the engine's reason, without position.
        public var reason: String
        /// Set when the line did not parse.
        public var parseError: LineProtocolError?

        public init(line: Int, reason: String, parseError: LineProtocolError? = nil) {
            self.line = line
            self.reason = reason
            self.parseError = parseError
        }

        /// `unable to parse '<text>': <reason> (line L, column C)` for a parse error (InfluxDB's
        /// wording plus the position), `<engine reason> (line L)` for a rejected point.
        public var description: String {
            parseError?.description ?? "\(reason) (line \(line))"
        }
    }

    public var accepted: Int
    public var dropped: [Drop]
    /// The WAL sequence the accepted points were committed under, nil if none were.
    public var sequence: UInt64?
    /// Indexes (into the points written) of those the engine refused, so a caller can tell
    /// how many field values were stored.
    public var rejectedIndexes: [Int]

    public init(accepted: Int = 0, dropped: [Drop] = [], sequence: UInt64? = nil, rejectedIndexes: [Int] = []) {
        self.accepted = accepted
        self.dropped = dropped
        self.sequence = sequence
        self.rejectedIndexes = rejectedIndexes
    }

    /// Writes the valid points of `parsed` and merges the engine's rejections with the parse
    /// errors. Returns once the accepted points are durable (the engine acknowledges after fsync).
    public static func write(_ parsed: ParsedLines, to database: String, engine: StorageEngine) async throws
        -> IngestReport
    {
        try await write(
            parsed.points, lineNumbers: parsed.lineNumbers, parseErrors: parsed.errors, to: database, engine: engine)
    }

    /// The same for a body parsed into columns (the HTTP write path). `refused` are lines
    /// the caller removed itself. `rejectedIndexes` stays empty: drops name lines.
    public static func write(
        _ columns: ParsedColumns, refused: [Drop] = [], to database: String, engine: StorageEngine
    ) async throws -> IngestReport {
        var drops = columns.errors.map { Drop(line: $0.line, reason: $0.reason, parseError: $0) } + refused
        if columns.pointCount > 0 {
            let result = try await engine.write(columns, to: database)
            drops += result.rejected.map { Drop(line: $0.index, reason: $0.reason) }
            drops.sort { $0.line < $1.line }
            return IngestReport(accepted: result.accepted, dropped: drops, sequence: result.sequence)
        }
        drops.sort { $0.line < $1.line }
        return IngestReport(dropped: drops)
    }

    /// The same for a slice of a parse (an import batch): `lineNumbers[i]` is the line of `points[i]`.
    /// `refused` are lines the caller dropped itself (a device outside the token's allowlist).
    public static func write(
        _ points: [Point], lineNumbers: [Int], parseErrors: [LineProtocolError] = [], refused: [Drop] = [],
        to database: String, engine: StorageEngine
    ) async throws -> IngestReport {
        var drops = parseErrors.map { Drop(line: $0.line, reason: $0.reason, parseError: $0) }
        if !refused.isEmpty {
            drops += refused
            drops.sort { $0.line < $1.line }
        }
        guard !points.isEmpty else { return IngestReport(dropped: drops) }
        let result = try await engine.write(WriteBatch(database: database, points: points))
        if !result.rejected.isEmpty {
            for rejection in result.rejected {
                let line = rejection.index < lineNumbers.count ? lineNumbers[rejection.index] : 0
                drops.append(Drop(line: line, reason: rejection.reason))
            }
            drops.sort { $0.line < $1.line }
        }
        return IngestReport(
            accepted: result.accepted, dropped: drops, sequence: result.sequence,
            rejectedIndexes: result.rejected.map(\.index))
    }
}
