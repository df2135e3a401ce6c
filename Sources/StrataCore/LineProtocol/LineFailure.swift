/// A rejected line before it is turned into a `LineProtocolError`.
///
/// Thrown with typed throws so that failing is a plain return of a small value: no existential
/// box and no string building until the caller knows the line is really bad.
struct LineFailure: Error {
    /// Absolute byte offset in the body where the problem is.
    var offset: Int
    var reason: Reason

    init(_ reason: Reason, at offset: Int) {
        self.offset = offset
        self.reason = reason
    }

    enum Reason: Equatable {
        case missingMeasurement
        case missingTagKey
        case missingTagValue
        case invalidTagFormat
        case duplicateTagKey(String)
        case tooManyTags(Int, limit: Int)
        case missingFields
        case missingFieldKey
        case missingFieldValue
        case invalidFieldFormat
        case tooManyFields(Int, limit: Int)
        case invalidNumber
        case integerOutOfRange
        case unsignedOutOfRange
        case floatOutOfRange
        case invalidBoolean
        case unbalancedQuotes
        case invalidTimestamp
        case timestampOutOfRange
        case trailingText
        case invalidUTF8
        case lineTooLong(Int, limit: Int)

        /// The wording documented in docs/line-protocol.md; clients may match on it.
        var text: String {
            switch self {
            case .missingMeasurement: "missing measurement"
            case .missingTagKey: "missing tag key"
            case .missingTagValue: "missing tag value"
            case .invalidTagFormat: "invalid tag format"
            case .duplicateTagKey(let key): "duplicate tag key \"\(key)\""
            case .tooManyTags(let n, let limit): "too many tags (\(n), limit \(limit))"
            case .missingFields: "missing fields"
            case .missingFieldKey: "missing field key"
            case .missingFieldValue: "missing field value"
            case .invalidFieldFormat: "invalid field format"
            case .tooManyFields(let n, let limit): "too many fields (\(n), limit \(limit))"
            case .invalidNumber: "invalid number"
            case .integerOutOfRange: "integer out of range"
            case .unsignedOutOfRange: "unsigned out of range"
            case .floatOutOfRange: "float out of range"
            case .invalidBoolean: "invalid boolean"
            case .unbalancedQuotes: "unbalanced quotes"
            case .invalidTimestamp: "invalid timestamp"
            case .timestampOutOfRange: "timestamp out of range"
            case .trailingText: "unexpected text after timestamp"
            case .invalidUTF8: "invalid UTF-8"
            case .lineTooLong(let n, let limit): "line too long (\(n) bytes, limit \(limit))"
            }
        }
    }
}
