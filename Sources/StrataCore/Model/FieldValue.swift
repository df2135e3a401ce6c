/// The five field types of the InfluxDB line-protocol data model.
///
/// Raw values are part of the on-disk formats (docs/format/wal.md, docs/format/segment.md):
/// never renumber them.
public enum FieldType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float = 1
    case integer = 2
    case unsigned = 3
    case boolean = 4
    case string = 5

    /// The names InfluxDB uses in `SHOW FIELD KEYS` and in type-conflict errors.
    public var description: String {
        switch self {
        case .float: "float"
        case .integer: "integer"
        case .unsigned: "unsigned"
        case .boolean: "boolean"
        case .string: "string"
        }
    }
}

/// One field value of one row.
public enum FieldValue: Sendable, Hashable {
    case float(Double)
    case integer(Int64)
    case unsigned(UInt64)
    case boolean(Bool)
    case string(String)

    public var type: FieldType {
        switch self {
        case .float: .float
        case .integer: .integer
        case .unsigned: .unsigned
        case .boolean: .boolean
        case .string: .string
        }
    }

    /// Bitwise equality for floats (NaN payloads and -0.0 compare by their bits), so that
    /// round-trip tests can assert that storage gives back exactly what was written.
    public func isIdentical(to other: FieldValue) -> Bool {
        switch (self, other) {
        case let (.float(a), .float(b)): a.bitPattern == b.bitPattern
        default: self == other
        }
    }
}
