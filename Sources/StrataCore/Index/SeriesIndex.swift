/// Series identity and the inverted index: per database and measurement, tag key → tag
/// value → sorted posting list of series ids. Ids are dense, assigned in order of first
/// sight, so posting lists stay sorted by appending.
///
/// Not persisted on its own: every series is named in full in the segment that holds its
/// data (docs/format/segment.md) or in the WAL record that wrote it, and opening the engine
/// rebuilds the index from both. Not thread-safe: the engine guards it.
struct SeriesIndex {
    struct Entry {
        var database: String
        var key: SeriesKey
    }

    private(set) var entries: [Entry] = []
    private var ids: [String: [SeriesKey: UInt32]] = [:]
    /// database → measurement → series ids.
    private var byMeasurement: [String: [String: [UInt32]]] = [:]
    /// database → measurement → tag key → tag value → series ids.
    private var postings: [String: [String: [String: [String: [UInt32]]]]] = [:]

    var count: Int { entries.count }

    func id(database: String, key: SeriesKey) -> UInt32? { ids[database]?[key] }

    mutating func idOrInsert(database: String, key: SeriesKey) -> UInt32 {
        if let id = ids[database]?[key] { return id }
        let id = UInt32(entries.count)
        entries.append(Entry(database: database, key: key))
        ids[database, default: [:]][key] = id
        byMeasurement[database, default: [:]][key.measurement, default: []].append(id)
        for tag in key.tags {
            postings[database, default: [:]][key.measurement, default: [:]][tag.key, default: [:]][tag.value, default: []]
                .append(id)
        }
        return id
    }

    func measurements(database: String) -> [String] {
        (byMeasurement[database]?.keys).map { $0.sorted() } ?? []
    }

    /// Series of a measurement that satisfy `predicate`, ascending ids. Equality and
    /// membership on a tag use posting lists; everything else is checked per candidate.
    func select(database: String, measurement: String, where predicate: TagPredicate) -> [UInt32] {
        guard let all = byMeasurement[database]?[measurement] else { return [] }
        let candidates = postingCandidates(database: database, measurement: measurement, predicate) ?? all
        if case .all = predicate { return candidates }
        return candidates.filter { predicate.evaluate(entries[Int($0)].key) }
    }

    /// A superset of the matches taken from posting lists, or nil when the predicate gives
    /// no such shortcut (then every series of the measurement is a candidate).
    private func postingCandidates(database: String, measurement: String, _ predicate: TagPredicate) -> [UInt32]? {
        let tags = postings[database]?[measurement]
        switch predicate {
        case let .equals(key, value) where !value.isEmpty:
            return tags?[key]?[value] ?? []
        case let .isIn(key, values) where !values.contains(""):
            let lists = values.compactMap { tags?[key]?[$0] }
            return Array(Set(lists.joined())).sorted()
        case let .and(parts):
            // The shortest list of any part bounds the result.
            return parts.compactMap { postingCandidates(database: database, measurement: measurement, $0) }
                .min { $0.count < $1.count }
        default:
            return nil
        }
    }
}
