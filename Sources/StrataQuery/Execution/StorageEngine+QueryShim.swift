import StrataCore

// TEMPORARY: stands in for the engine's chunked scan and metadata API until they land in
// StrataCore; deleted at that merge.
struct SeriesChunks: Sendable { var key: SeriesKey; var chunks: [ScanChunk] }
enum ScanChunk: Sendable {
    case summary(BlockSummary)
    case rows(SeriesRows)
}
struct BlockSummary: Sendable { var minTime: Int64; var maxTime: Int64; var rowCount: Int; var fields: [String: BlockStats] }
struct ScanStatistics: Sendable {
    var seriesTouched = 0, blocksSummarized = 0, blocksDecoded = 0, rowsDecoded = 0, headRows = 0
}

extension StorageEngine {
    func tagKeys(database: String, measurement: String) -> [String] {
        let keys = (try? scan(database: database, measurement: measurement, fields: [])) ?? []
        return Array(Set(keys.flatMap { $0.key.tags.map(\.key) })).sorted()
    }

    func scanChunks(database: String, measurement: String, where predicate: TagPredicate, fields: Set<String>?,
                    range: ClosedRange<Int64>, canSummarize: (Int64, Int64) -> Bool,
                    statistics: inout ScanStatistics) throws -> [SeriesChunks] {
        try scan(database: database, measurement: measurement, where: predicate, fields: fields, range: range).map {
            statistics.seriesTouched += 1
            statistics.rowsDecoded += $0.count
            return SeriesChunks(key: $0.key, chunks: [.rows($0)])
        }
    }
}

extension StorageEngine {
    func seriesKeys(database: String, measurement: String, where predicate: TagPredicate = .all) -> [SeriesKey] {
        ((try? scan(database: database, measurement: measurement, where: predicate, fields: [])) ?? []).map(\.key)
    }

    func tagValues(database: String, measurement: String, key: String, where predicate: TagPredicate = .all) -> [String] {
        Array(Set(seriesKeys(database: database, measurement: measurement, where: predicate).compactMap { $0.tagValue(key) })).sorted()
    }

    func delete(database: String, measurement: String?, where: TagPredicate, range: ClosedRange<Int64>?) async throws -> UInt64 {
        throw QueryError("DELETE is not supported yet")
    }

    func dropSeries(database: String, measurement: String?, where: TagPredicate) async throws -> UInt64 {
        throw QueryError("DROP SERIES is not supported yet")
    }
}
