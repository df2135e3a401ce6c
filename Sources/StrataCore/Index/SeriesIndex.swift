/// Series identity and the inverted index: per database and measurement, tag key → tag
/// value → sorted posting list of series ids. Ids are dense, assigned in order of first
/// sight, so posting lists stay sorted by appending.
///
/// Not persisted on its own: every series is named in full in the segment that holds its
/// data (docs/format/segment.md) or in the WAL record that wrote it, and opening the engine
/// rebuilds the index from both (skipping series that tombstones dropped). Not thread-safe:
/// the engine guards it.
struct SeriesIndex {
    struct Entry {
        var database: String
        var key: SeriesKey
        /// False once the series was dropped (DROP SERIES, or DELETE over all time): it keeps
        /// its id (frozen heads and flushes in progress may still name it) but is in no list.
        var live = true
    }

    private(set) var entries: [Entry] = []
    private var ids: [String: [SeriesKey: UInt32]] = [:]
    /// database → measurement → live series ids (sorted).
    private var byMeasurement: [String: [String: [UInt32]]] = [:]
    /// database → measurement → tag key → tag value → live series ids (sorted).
    private var postings: [String: [String: [String: [String: [UInt32]]]]] = [:]
    /// Live series.
    private(set) var count = 0
    /// Live series per database (`max-series-per-database`).
    private var liveByDatabase: [String: Int] = [:]
    /// Fields per series, for callers limited to some series (SeriesFieldSets).
    private(set) var fieldSets = SeriesFieldSets()

    func id(database: String, key: SeriesKey) -> UInt32? { ids[database]?[key] }

    /// The series' id, live or not.
    mutating func idOrInsert(database: String, key: SeriesKey) -> UInt32 {
        if let id = ids[database]?[key] {
            if !entries[Int(id)].live { revive(id) }
            return id
        }
        let id = UInt32(entries.count)
        entries.append(Entry(database: database, key: key))
        ids[database, default: [:]][key] = id
        byMeasurement[database, default: [:]][key.measurement, default: []].append(id)
        for tag in key.tags {
            postings[database, default: [:]][key.measurement, default: [:]][tag.key, default: [:]][tag.value, default: []]
                .append(id)
        }
        count += 1
        liveByDatabase[database, default: 0] += 1
        return id
    }

    /// Live series of `database`.
    func seriesCount(database: String) -> Int { liveByDatabase[database] ?? 0 }

    /// Whether a live series of the measurement has tag `key` = `value`.
    func hasTagValue(database: String, measurement: String, key: String, value: String) -> Bool {
        postings[database]?[measurement]?[key]?[value] != nil
    }

    /// Distinct values of tag `key` among the measurement's live series (`max-values-per-tag`).
    func tagValueCount(database: String, measurement: String, key: String) -> Int {
        postings[database]?[measurement]?[key]?.count ?? 0
    }

    /// Takes a series out of every list (its id stays reserved for it). A measurement, tag
    /// key or tag value left without series disappears with it.
    mutating func remove(_ id: UInt32) {
        guard entries[Int(id)].live else { return }
        entries[Int(id)].live = false
        count -= 1
        liveByDatabase[entries[Int(id)].database, default: 0] -= 1
        fieldSets.clear(id)
        let database = entries[Int(id)].database
        let key = entries[Int(id)].key
        Self.removeSorted(id, from: &byMeasurement[database, default: [:]][key.measurement, default: []])
        if byMeasurement[database]?[key.measurement]?.isEmpty ?? false { byMeasurement[database]?[key.measurement] = nil }
        for tag in key.tags {
            Self.removeSorted(id, from: &postings[database, default: [:]][key.measurement, default: [:]][tag.key, default: [:]][tag.value, default: []])
            if postings[database]?[key.measurement]?[tag.key]?[tag.value]?.isEmpty ?? false {
                postings[database]?[key.measurement]?[tag.key]?[tag.value] = nil
            }
            if postings[database]?[key.measurement]?[tag.key]?.isEmpty ?? false {
                postings[database]?[key.measurement]?[tag.key] = nil
            }
        }
        if postings[database]?[key.measurement]?.isEmpty ?? false { postings[database]?[key.measurement] = nil }
    }

    /// Adds fields series `id` has (had) data for.
    mutating func recordFields(_ id: UInt32, _ names: some Sequence<String>) {
        let entry = entries[Int(id)]
        fieldSets.record(id, database: entry.database, measurement: entry.key.measurement, names: names)
    }

    /// Fields at least one live series of the measurement matching `predicate` has had, in
    /// order of the measurement's first sight of them.
    func fieldNames(database: String, measurement: String, where predicate: TagPredicate) -> [String] {
        fieldSets.names(database: database, measurement: measurement,
                        of: select(database: database, measurement: measurement, where: predicate))
    }

    /// A dropped series written again: back into its lists, which stay sorted.
    private mutating func revive(_ id: UInt32) {
        entries[Int(id)].live = true
        count += 1
        liveByDatabase[entries[Int(id)].database, default: 0] += 1
        let database = entries[Int(id)].database
        let key = entries[Int(id)].key
        Self.insertSorted(id, into: &byMeasurement[database, default: [:]][key.measurement, default: []])
        for tag in key.tags {
            Self.insertSorted(id, into: &postings[database, default: [:]][key.measurement, default: [:]][tag.key, default: [:]][tag.value, default: []])
        }
    }

    private static func insertSorted(_ id: UInt32, into list: inout [UInt32]) {
        let at = list.partitioningIndex { $0 >= id }
        if at == list.count || list[at] != id { list.insert(id, at: at) }
    }

    private static func removeSorted(_ id: UInt32, from list: inout [UInt32]) {
        let at = list.partitioningIndex { $0 >= id }
        if at < list.count && list[at] == id { list.remove(at: at) }
    }

    func measurements(database: String) -> [String] {
        (byMeasurement[database]?.keys).map { $0.sorted() } ?? []
    }

    func hasSeries(database: String, measurement: String) -> Bool {
        !(byMeasurement[database]?[measurement]?.isEmpty ?? true)
    }

    /// Tag keys of the measurement's live series, sorted.
    func tagKeys(database: String, measurement: String) -> [String] {
        (postings[database]?[measurement]?.keys).map { $0.sorted() } ?? []
    }

    /// Distinct values of tag `key` among the live series matching `predicate`, sorted.
    /// Series without the tag contribute nothing (as InfluxDB's SHOW TAG VALUES).
    func tagValues(database: String, measurement: String, key: String, where predicate: TagPredicate) -> [String] {
        guard let values = postings[database]?[measurement]?[key] else { return [] }
        if case .all = predicate { return values.keys.sorted() }
        var found = Set<String>()
        for id in select(database: database, measurement: measurement, where: predicate) {
            if let value = entries[Int(id)].key.tagValue(key) { found.insert(value) }
        }
        return found.sorted()
    }

    /// Whether any live series of the database, in any measurement, satisfies `predicate`.
    /// Stops at the first match; per measurement, only the posting-list candidates (when
    /// the predicate gives them) are checked.
    func hasSeries(database: String, where predicate: TagPredicate) -> Bool {
        guard let measurements = byMeasurement[database] else { return false }
        for (measurement, all) in measurements {
            let candidates = postingCandidates(database: database, measurement: measurement, predicate) ?? all
            if case .all = predicate, !candidates.isEmpty { return true }
            if candidates.contains(where: { predicate.evaluate(entries[Int($0)].key) }) { return true }
        }
        return false
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
