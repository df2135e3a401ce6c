/// Which fields each series has had, so that a caller limited to some series (a token bound
/// to a device) is shown only the fields those series carry, not every field of the
/// measurement (`EngineState.fieldTypes` is per measurement).
///
/// Shape, for memory: there can be millions of series but a measurement has few fields, so
/// field names are stored once per (database, measurement) with a dense ordinal each, and a
/// series holds only bits. Ordinals below 64 live in one `UInt64` per series in a flat array
/// (8 bytes per series, no allocation or pointer of its own); the rare series with an
/// ordinal ≥ 64 (a measurement with more than 64 fields) keep the higher words in a side
/// table keyed by series id, so the common series does not pay 8 more bytes for an
/// optional overflow array inline.
///
/// Bits only grow while a series is live: flushes and compactions move rows between files
/// but never add a field the series did not have, so they need not report here. A series
/// taken out of the index (DROP SERIES, DELETE over all time) loses its bits: if it is
/// written again it shows only what it is written with. Keeping them would make the
/// answer depend on history the engine does not keep: after a restart, a file the
/// tombstone wholly masks is not registered, while one whose tombstone had not reached the
/// manifest yet is, and the replayed tombstone then removes (and clears) the series.
///
/// The index owns it and calls it under the engine lock. Writes that only repeat known
/// fields change nothing here (bits are tested before they are set), so a flush holding a
/// copy of the index does not make the next write copy these arrays.
struct SeriesFieldSets {
    /// A measurement's field names in order of first sight, and each one's ordinal.
    struct Ordinals {
        var names: [String] = []
        var ordinal: [String: Int] = [:]

        mutating func ordinal(of name: String) -> Int {
            if let known = ordinal[name] { return known }
            ordinal[name] = names.count
            names.append(name)
            return names.count - 1
        }
    }

    /// database → measurement → its field ordinals. Never shrinks: a measurement whose
    /// series were all dropped keeps its ordinals, as it keeps its field types.
    private(set) var ordinals: [String: [String: Ordinals]] = [:]
    /// Series id → bits of ordinals 0..<64. Shorter than the index's entries until a
    /// series with a higher id records a field; missing ids have no bits.
    private var low: [UInt64] = []
    /// Series id → bits of ordinals 64..., word i holding ordinals 64·(i+1) ..< 64·(i+2).
    private var high: [UInt32: [UInt64]] = [:]

    /// Adds `names` to the fields series `id` has had.
    mutating func record(_ id: UInt32, database: String, measurement: String, names: some Sequence<String>) {
        var lowBits: UInt64 = 0
        var highBits: [UInt64] = []
        // The table is looked up first without mutation: a known field must not make the
        // dictionaries unique (a flush's copy of the index would then be duplicated).
        let known = ordinals[database]?[measurement]
        for name in names {
            let n: Int
            if let k = known?.ordinal[name] {
                n = k
            } else {
                n = ordinals[database, default: [:]][measurement, default: Ordinals()].ordinal(of: name)
            }
            if n < 64 {
                lowBits |= 1 << UInt64(n)
            } else {
                let word = n / 64 - 1
                if highBits.count <= word { highBits.append(contentsOf: repeatElement(0, count: word + 1 - highBits.count)) }
                highBits[word] |= 1 << UInt64(n % 64)
            }
        }
        let i = Int(id)
        if lowBits != 0 {
            if i >= low.count { low.append(contentsOf: repeatElement(0, count: i + 1 - low.count)) }
            if low[i] & lowBits != lowBits { low[i] |= lowBits }
        }
        if !highBits.isEmpty {
            let old = high[id] ?? []
            var merged = old
            if merged.count < highBits.count { merged.append(contentsOf: repeatElement(0, count: highBits.count - merged.count)) }
            for w in highBits.indices { merged[w] |= highBits[w] }
            if merged != old { high[id] = merged }
        }
    }

    /// Forgets series `id`'s fields (it left the index).
    mutating func clear(_ id: UInt32) {
        let i = Int(id)
        if i < low.count && low[i] != 0 { low[i] = 0 }
        if high[id] != nil { high[id] = nil }
    }

    /// Names of the fields at least one of `ids` (series of the measurement) has had, in
    /// ordinal order. Stops early once every field of the measurement is found.
    func names(database: String, measurement: String, of ids: some Sequence<UInt32>) -> [String] {
        guard let table = ordinals[database]?[measurement], !table.names.isEmpty else { return [] }
        let total = table.names.count
        let fullLow: UInt64 = total >= 64 ? .max : (1 << UInt64(total)) - 1
        var lowBits: UInt64 = 0
        var highBits: [UInt64] = []
        for id in ids {
            if Int(id) < low.count { lowBits |= low[Int(id)] }
            if let words = high[id] {
                if highBits.count < words.count { highBits.append(contentsOf: repeatElement(0, count: words.count - highBits.count)) }
                for w in words.indices { highBits[w] |= words[w] }
            }
            if total <= 64 && lowBits == fullLow { break }
        }
        var out: [String] = []
        for n in 0..<min(total, 64) where lowBits & (1 << UInt64(n)) != 0 { out.append(table.names[n]) }
        for (w, word) in highBits.enumerated() where word != 0 {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 {
                let n = 64 * (w + 1) + b
                if n < total { out.append(table.names[n]) }
            }
        }
        return out
    }
}
