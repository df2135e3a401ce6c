/// A client message's JSON, decoded without losing integers: nanosecond times and
/// sequence numbers need all 64 bits, which a Double would round.
enum LiveJSON: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([LiveJSON])
    case object([String: LiveJSON])

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int64.self) {
            self = .integer(i)
        } else if let d = try? single.decode(Double.self) {
            self = .number(d)
        } else if let s = try? single.decode(String.self) {
            self = .string(s)
        } else if let a = try? single.decode([LiveJSON].self) {
            self = .array(a)
        } else {
            self = .object(try single.decode([String: LiveJSON].self))
        }
    }

    /// How error messages name what was found instead of what was expected.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
