// See docs/format/tier.md ("Columns").

/// The columns a tier file holds for one numeric field `f` of a series, one row per
/// non-empty bucket at the bucket's start time. `f` and a suffix joined by U+001F (unit
/// separator), so two fields' columns never collide: every column ends in exactly one
/// suffix from this list, and the field name is what precedes the last separator.
///
/// | column      | type                                  | value per bucket                       |
/// |-------------|---------------------------------------|----------------------------------------|
/// | `f␟count`   | integer                               | non-null values of f                   |
/// | `f␟sum`     | f's type (float, integer, unsigned)   | their sum; null when an integer sum overflows |
/// | `f␟min`     | f's type                              | smallest value                         |
/// | `f␟max`     | f's type                              | largest value                          |
/// | `f␟first`   | f's type                              | value at the earliest time             |
/// | `f␟last`    | f's type                              | value at the latest time               |
/// | `f␟tfirst`, `f␟tlast`, `f␟tmin`, `f␟tmax` | integer | time of first/last/min/max minus the bucket start (ns) |
///
/// A row where f has no value has all of f's columns null. Only float, integer and unsigned
/// fields get columns; strings and booleans are not rolled up.
enum TierColumns {
    static let separator: Character = "\u{1F}"

    enum Part: String, CaseIterable, Sendable {
        case count, sum, min, max, first, last, tfirst, tlast, tmin, tmax
    }

    static func name(_ field: String, _ part: Part) -> String {
        field + String(separator) + part.rawValue
    }

    /// The field and part of a tier column name, or nil if it is not one.
    static func parse(_ column: String) -> (field: String, part: Part)? {
        // On UTF-8 bytes: the separator is one byte, and a Character scan was most of the cost.
        let utf8 = column.utf8
        guard let at = utf8.lastIndex(of: 0x1F),
              let part = Part(rawValue: String(column[utf8.index(after: at)...])) else { return nil }
        return (String(column[..<at]), part)
    }

    static func isRolledUp(_ type: FieldType) -> Bool {
        type == .float || type == .integer || type == .unsigned
    }
}
