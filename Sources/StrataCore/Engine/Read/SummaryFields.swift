/// A summary's stats per field name. Most aggregates read one field, so a lone field's
/// stats are held in one box: a scan makes a summary per block or tier bucket (the month
/// benchmark's hourly mean makes 72,000), and a dictionary per summary cost an allocation
/// and a hash of the name on the way in and again on every lookup (about a third of that
/// query's time). Two or more fields fall back to a dictionary.
public struct SummaryFields: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    private enum Storage: Sendable {
        case empty
        /// Boxed: a summary is copied as chunks move, and inline stats (~180 bytes, five
        /// field values) made each copy cost more than the dictionary saved.
        case one(String, Box)
        case many([String: BlockStats])
    }

    private var storage: Storage

    private final class Box: Sendable {
        let stats: BlockStats
        init(_ stats: BlockStats) { self.stats = stats }
    }

    public init() { storage = .empty }

    public init(_ fields: [String: BlockStats]) {
        switch fields.count {
        case 0: storage = .empty
        case 1: storage = .one(fields.first!.key, Box(fields.first!.value))
        default: storage = .many(fields)
        }
    }

    public init(dictionaryLiteral elements: (String, BlockStats)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public subscript(name: String) -> BlockStats? {
        get {
            switch storage {
            case .empty: nil
            case .one(let n, let box): n == name ? box.stats : nil
            case .many(let d): d[name]
            }
        }
        set {
            switch (storage, newValue) {
            case (.empty, nil): break
            case (.empty, let s?): storage = .one(name, Box(s))
            case (.one(let n, _), nil): if n == name { storage = .empty }
            case (.one(let n, let old), let s?):
                storage = n == name ? .one(n, Box(s)) : .many([n: old.stats, name: s])
            case (.many(var d), _):
                storage = .empty  // so `d` is uniquely referenced while it changes
                d[name] = newValue
                self = SummaryFields(d)
            }
        }
    }

    public var count: Int {
        switch storage {
        case .empty: 0
        case .one: 1
        case .many(let d): d.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    public var keys: [String] { map(\.key) }
    public var values: [BlockStats] { map(\.value) }

    public struct Iterator: IteratorProtocol {
        fileprivate var one: (key: String, value: BlockStats)?
        fileprivate var many: Dictionary<String, BlockStats>.Iterator?

        public mutating func next() -> (key: String, value: BlockStats)? {
            if let next = one {
                one = nil
                return next
            }
            return many?.next()
        }
    }

    public func makeIterator() -> Iterator {
        switch storage {
        case .empty: Iterator()
        case .one(let n, let box): Iterator(one: (key: n, value: box.stats))
        case .many(let d): Iterator(many: d.makeIterator())
        }
    }

    public static func == (a: SummaryFields, b: SummaryFields) -> Bool {
        a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }
}
