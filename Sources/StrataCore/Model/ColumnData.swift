/// One field's values for consecutive rows, nulls included: the unit that the head stores,
/// scans return and the segment writer encodes. Only the array of the column's type is used.
public struct ColumnData: Sendable, Equatable {
    public let type: FieldType
    /// The values, in the one array the type uses. An enum rather than five arrays: a
    /// column is copied wherever batches, head rows and scans pass through, and each copy
    /// retains every array it holds (five empty ones included). On ingest, retains and
    /// releases were 13% of the server's CPU, much of it these.
    private var values: Values
    /// One per row: false where the row has no value for this field.
    public internal(set) var valid: [Bool] = []

    enum Values: Sendable, Equatable {
        case floats([Double])
        case integers([Int64])
        case unsigneds([UInt64])
        case booleans([Bool])
        case strings([String])

        init(_ type: FieldType) {
            switch type {
            case .float: self = .floats([])
            case .integer: self = .integers([])
            case .unsigned: self = .unsigneds([])
            case .boolean: self = .booleans([])
            case .string: self = .strings([])
            }
        }
    }

    public init(type: FieldType) {
        self.type = type
        values = Values(type)
    }

    // Each typed view is empty unless it is the column's type. `_modify` takes the array out
    // of the enum first, so that it is uniquely referenced and appends do not copy it.

    public internal(set) var floats: [Double] {
        get { if case .floats(let a) = values { a } else { [] } }
        _modify {
            var a: [Double] = []
            if case .floats(let x) = values { a = x }
            values = .floats([])
            defer { values = .floats(a) }
            yield &a
        }
    }

    public internal(set) var integers: [Int64] {
        get { if case .integers(let a) = values { a } else { [] } }
        _modify {
            var a: [Int64] = []
            if case .integers(let x) = values { a = x }
            values = .integers([])
            defer { values = .integers(a) }
            yield &a
        }
    }

    public internal(set) var unsigneds: [UInt64] {
        get { if case .unsigneds(let a) = values { a } else { [] } }
        _modify {
            var a: [UInt64] = []
            if case .unsigneds(let x) = values { a = x }
            values = .unsigneds([])
            defer { values = .unsigneds(a) }
            yield &a
        }
    }

    public internal(set) var booleans: [Bool] {
        get { if case .booleans(let a) = values { a } else { [] } }
        _modify {
            var a: [Bool] = []
            if case .booleans(let x) = values { a = x }
            values = .booleans([])
            defer { values = .booleans(a) }
            yield &a
        }
    }

    public internal(set) var strings: [String] {
        get { if case .strings(let a) = values { a } else { [] } }
        _modify {
            var a: [String] = []
            if case .strings(let x) = values { a = x }
            values = .strings([])
            defer { values = .strings(a) }
            yield &a
        }
    }

    public var count: Int { valid.count }

    public mutating func reserveCapacity(_ n: Int) {
        valid.reserveCapacity(n)
        switch type {
        case .float: floats.reserveCapacity(n)
        case .integer: integers.reserveCapacity(n)
        case .unsigned: unsigneds.reserveCapacity(n)
        case .boolean: booleans.reserveCapacity(n)
        case .string: strings.reserveCapacity(n)
        }
    }

    /// Appends a value of this column's type; the caller has checked the type.
    public mutating func append(_ value: FieldValue) {
        valid.append(true)
        switch value {
        case .float(let v): floats.append(v)
        case .integer(let v): integers.append(v)
        case .unsigned(let v): unsigneds.append(v)
        case .boolean(let v): booleans.append(v)
        case .string(let v): strings.append(v)
        }
    }

    public mutating func appendNull() {
        valid.append(false)
        switch type {
        case .float: floats.append(0)
        case .integer: integers.append(0)
        case .unsigned: unsigneds.append(0)
        case .boolean: booleans.append(false)
        case .string: strings.append("")
        }
    }

    public func value(at row: Int) -> FieldValue? {
        guard valid[row] else { return nil }
        switch type {
        case .float: return .float(floats[row])
        case .integer: return .integer(integers[row])
        case .unsigned: return .unsigned(unsigneds[row])
        case .boolean: return .boolean(booleans[row])
        case .string: return .string(strings[row])
        }
    }
}

/// The rows of one series: a shared timestamp column and one `ColumnData` per field, all
/// of the same length. What a scan returns (sorted by time, one row per timestamp) and
/// what the head accumulates (arrival order, duplicates possible).
public struct SeriesRows: Sendable, Equatable {
    public var key: SeriesKey
    public var timestamps: [Int64] = []
    public var columns: [String: ColumnData] = [:]

    public init(key: SeriesKey) {
        self.key = key
    }

    public var count: Int { timestamps.count }
}

extension ColumnData {
    /// Appends rows `range` of `other` (same type) with typed copies, no per-value boxing.
    public mutating func append(contentsOf other: ColumnData, range: Range<Int>) {
        if range == 0..<other.count {
            appendAll(of: other)
            return
        }
        valid.append(contentsOf: other.valid[range])
        switch type {
        case .float: floats.append(contentsOf: other.floats[range])
        case .integer: integers.append(contentsOf: other.integers[range])
        case .unsigned: unsigneds.append(contentsOf: other.unsigneds[range])
        case .boolean: booleans.append(contentsOf: other.booleans[range])
        case .string: strings.append(contentsOf: other.strings[range])
        }
    }

    /// Whole arrays append by copying memory; slices of them go element by element.
    private mutating func appendAll(of other: ColumnData) {
        valid.append(contentsOf: other.valid)
        switch type {
        case .float: floats.append(contentsOf: other.floats)
        case .integer: integers.append(contentsOf: other.integers)
        case .unsigned: unsigneds.append(contentsOf: other.unsigneds)
        case .boolean: booleans.append(contentsOf: other.booleans)
        case .string: strings.append(contentsOf: other.strings)
        }
    }

    /// A column of `picks.count` rows: row i is row `picks[i]` of `self`, or null where the
    /// pick is negative.
    public func gathered(_ picks: [Int]) -> ColumnData {
        var out = ColumnData(type: type)
        out.valid = picks.map { $0 >= 0 && valid[$0] }
        switch type {
        case .float: out.floats = picks.map { $0 >= 0 ? floats[$0] : 0 }
        case .integer: out.integers = picks.map { $0 >= 0 ? integers[$0] : 0 }
        case .unsigned: out.unsigneds = picks.map { $0 >= 0 ? unsigneds[$0] : 0 }
        case .boolean: out.booleans = picks.map { $0 >= 0 ? booleans[$0] : false }
        case .string: out.strings = picks.map { $0 >= 0 ? strings[$0] : "" }
        }
        return out
    }
}

extension ColumnData {
    /// A column from decoded arrays: `values` holds one slot per row (placeholders where
    /// `valid` is false).
    init(type: FieldType, valid: [Bool], floats: [Double] = [], integers: [Int64] = [], unsigneds: [UInt64] = [],
         booleans: [Bool] = [], strings: [String] = []) {
        self.type = type
        self.valid = valid
        switch type {
        case .float: values = .floats(floats)
        case .integer: values = .integers(integers)
        case .unsigned: values = .unsigneds(unsigneds)
        case .boolean: values = .booleans(booleans)
        case .string: values = .strings(strings)
        }
    }

    /// Appends `n` nulls at once.
    public mutating func appendNullRows(_ n: Int) {
        guard n > 0 else { return }
        valid.append(contentsOf: repeatElement(false, count: n))
        switch type {
        case .float: floats.append(contentsOf: repeatElement(0, count: n))
        case .integer: integers.append(contentsOf: repeatElement(0, count: n))
        case .unsigned: unsigneds.append(contentsOf: repeatElement(0, count: n))
        case .boolean: booleans.append(contentsOf: repeatElement(false, count: n))
        case .string: strings.append(contentsOf: repeatElement("", count: n))
        }
    }
}


extension ColumnData {
    /// A column of `bits.count` rows from 64-bit words, as `ParsedColumnsBuilder` keeps
    /// values: a float's bit pattern, an integer's two's complement, 0 or 1 for a boolean,
    /// an index into `strings` for a string. Rows where `valid` is false hold 0 (or "").
    init(type: FieldType, bits: UnsafeBufferPointer<UInt64>, valid: UnsafeBufferPointer<Bool>, strings: [String]) {
        self.type = type
        self.valid = Array(valid)
        let raw = UnsafeRawBufferPointer(bits)
        switch type {
        case .float: values = .floats(Array(raw.bindMemory(to: Double.self)))
        case .integer: values = .integers(Array(raw.bindMemory(to: Int64.self)))
        case .unsigned: values = .unsigneds(Array(bits))
        case .boolean: values = .booleans(bits.map { $0 != 0 })
        case .string: values = .strings(zip(bits, valid).map { $1 ? strings[Int($0)] : "" })
        }
    }
}
