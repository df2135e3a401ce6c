import Synchronization

/// The cardinality limits on new series (`max-series-per-database`, `max-values-per-tag`,
/// EngineOptions), with InfluxDB's partial-write wording. Checked per series of a grouped
/// batch under the engine lock, so a batch costs one lookup per series, not per point.
struct SeriesAdmission {
    /// Series keys refused, and why (the first reason, as InfluxDB reports one).
    var refused: Set<SeriesKey> = []
    var reason: String?
    /// New series admitted: reserved in `EngineState.reservedSeries` until the batch is
    /// applied, so concurrent batches cannot pass the limit together.
    var reserved = 0

    static func check(_ batch: ColumnarBatch, in s: inout EngineState, options: EngineOptions) -> SeriesAdmission {
        var admission = SeriesAdmission()
        let maxSeries = options.maxSeriesPerDatabase, maxValues = options.maxValuesPerTag
        guard maxSeries > 0 || maxValues > 0 else { return admission }
        let db = batch.database
        var seen = Set<SeriesKey>()
        // Tag values this batch adds, so two new series cannot each take the last one.
        var addedValues: [String: Set<String>] = [:]
        for chunk in batch.series where s.index.id(database: db, key: chunk.key) == nil && seen.insert(chunk.key).inserted {
            let total = s.index.seriesCount(database: db) + s.reservedSeries[db, default: 0] + admission.reserved
            if maxSeries > 0, total >= maxSeries {
                admission.refuse(chunk.key, "max-series-per-database limit exceeded: (\(maxSeries))")
                continue
            }
            if maxValues > 0, let reason = tooManyValues(chunk.key, db, s.index, &addedValues, maxValues) {
                admission.refuse(chunk.key, reason)
                continue
            }
            admission.reserved += 1
        }
        s.reservedSeries[db, default: 0] += admission.reserved
        return admission
    }

    private mutating func refuse(_ key: SeriesKey, _ why: String) {
        refused.insert(key)
        if reason == nil { reason = why }
    }

    private static func tooManyValues(_ key: SeriesKey, _ db: String, _ index: SeriesIndex,
                                      _ added: inout [String: Set<String>], _ limit: Int) -> String? {
        var adds: [(String, String)] = []
        for tag in key.tags where !index.hasTagValue(database: db, measurement: key.measurement, key: tag.key, value: tag.value) {
            let slot = key.measurement + "\u{0}" + tag.key
            guard !(added[slot]?.contains(tag.value) ?? false) else { continue }
            let n = index.tagValueCount(database: db, measurement: key.measurement, key: tag.key) + (added[slot]?.count ?? 0)
            if n >= limit {
                return "max-values-per-tag limit exceeded (\(n)/\(limit)): measurement=\"\(key.measurement)\" "
                    + "tag=\"\(tag.key)\" value=\"\(tag.value)\""
            }
            adds.append((slot, tag.value))
        }
        for (slot, value) in adds { added[slot, default: []].insert(value) }
        return nil
    }
}

/// A batch's reserved new series, released once: by the apply that puts them in the index,
/// or by the write when the batch never applies.
final class SeriesReservation: Sendable {
    private let count: Mutex<Int>

    init(_ count: Int) { self.count = Mutex(count) }

    /// The reservation, once; 0 afterwards.
    func take() -> Int {
        count.withLock { n in
            defer { n = 0 }
            return n
        }
    }
}
