/// One tag of a series: both sides are non-empty strings.
public struct Tag: Sendable, Hashable, Comparable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public static func < (lhs: Tag, rhs: Tag) -> Bool {
        lhs.key.utf8.lexicographicallyPrecedes(rhs.key.utf8)
    }

    /// Tags come sorted from the parser and the formats; checking is cheaper than sorting
    /// and keeps the array shared instead of copied.
    static func sortedIfNeeded(_ tags: [Tag]) -> [Tag] {
        for i in tags.indices.dropFirst() where tags[i] < tags[i - 1] { return tags.sorted() }
        return tags
    }
}

/// One field of a row.
public struct Field: Sendable, Hashable {
    public var key: String
    public var value: FieldValue

    public init(_ key: String, _ value: FieldValue) {
        self.key = key
        self.value = value
    }
}

/// One line of line protocol once parsed: a row of one series.
///
/// `tags` are sorted by key (byte order) and unique; `fields` are unique by key (a later
/// duplicate in the same line wins, as in InfluxDB) and non-empty.
public struct Point: Sendable, Hashable {
    public var measurement: String
    public var tags: [Tag]
    public var fields: [Field]
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64

    public init(measurement: String, tags: [Tag] = [], fields: [Field], timestamp: Int64) {
        self.measurement = measurement
        self.tags = Tag.sortedIfNeeded(tags)
        self.fields = fields
        self.timestamp = timestamp
    }

    public var seriesKey: SeriesKey { SeriesKey(measurement: measurement, tags: tags) }
}

/// A measurement plus its sorted tag set: the identity of a series inside one database.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var measurement: String
    /// Sorted by key, unique keys.
    public var tags: [Tag]

    public init(measurement: String, tags: [Tag]) {
        self.measurement = measurement
        self.tags = Tag.sortedIfNeeded(tags)
    }

    public func tagValue(_ key: String) -> String? {
        tags.first(where: { $0.key == key })?.value
    }

    /// The canonical line-protocol form (`robot,device_id=robot-0001,fleet=north`), escaped
    /// so that it parses back to the same key. Used as the series' name in segment files.
    public var description: String {
        var s = LineProtocolEscaping.escapeMeasurement(measurement)
        for tag in tags {
            s += ","
            s += LineProtocolEscaping.escapeKey(tag.key)
            s += "="
            s += LineProtocolEscaping.escapeKey(tag.value)
        }
        return s
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }
}

/// The points of one write request, for one database.
public struct WriteBatch: Sendable, Hashable {
    public var database: String
    public var points: [Point]

    public init(database: String, points: [Point]) {
        self.database = database
        self.points = points
    }
}

/// Line-protocol escaping rules (InfluxDB reference: "Special characters").
public enum LineProtocolEscaping {
    /// Measurement names escape commas and spaces.
    public static func escapeMeasurement(_ s: String) -> String {
        escape(s, special: [UInt8(ascii: ","), UInt8(ascii: " ")])
    }

    /// Tag keys, tag values and field keys escape commas, equals signs and spaces.
    public static func escapeKey(_ s: String) -> String {
        escape(s, special: [UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: " ")])
    }

    private static func escape(_ s: String, special: [UInt8]) -> String {
        guard s.utf8.contains(where: { special.contains($0) }) else { return s }
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 4)
        for b in s.utf8 {
            if special.contains(b) { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
