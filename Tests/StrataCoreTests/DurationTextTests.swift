import StrataCore
import Testing

/// One grammar, three dialects: what each reads, what each refuses, and that formatting
/// reads back. See `DurationText`.
@Suite struct DurationTextTests {
    static let s: Int64 = 1_000_000_000
    static let flag = DurationText.Dialect.flag(unitRequired: false)
    static let retentionFlag = DurationText.Dialect.flag(unitRequired: true)

    static let accepted: [(String, DurationText.Dialect, Int64)] = [
        ("1h30m", .influxQL, 5_400 * s), ("1ns", .influxQL, 1), ("3u", .influxQL, 3_000), ("3µ", .influxQL, 3_000),
        ("2ms", .influxQL, 2_000_000), ("0s", .influxQL, 0), ("1w1d", .influxQL, 8 * 86_400 * s),
        ("200ms", .message, 200_000_000), ("5us", .message, 5_000), ("5µs", .message, 5_000), ("5u", .message, 5_000),
        ("1s", .message, s), ("2w", .message, 1_209_600 * s),
        ("0", flag, 0), ("90", flag, 90 * s), ("90s", flag, 90 * s), ("15m", flag, 900 * s), ("2d", flag, 172_800 * s),
        ("2w", flag, 1_209_600 * s), ("2w", retentionFlag, 1_209_600 * s), ("36h", retentionFlag, 129_600 * s),
    ]

    @Test(arguments: accepted)
    func reads(_ text: String, _ dialect: DurationText.Dialect, _ nanoseconds: Int64) throws {
        #expect(try DurationText.parse(text, dialect).get() == nanoseconds)
    }

    static let refused: [(String, DurationText.Dialect)] = [
        ("", .influxQL), ("1", .influxQL), ("1y", .influxQL), ("1n", .influxQL), ("1us", .influxQL), ("h", .influxQL),
        ("-1s", .influxQL), ("1.5s", .influxQL), ("1h30", .influxQL),
        ("1h30m", .message), ("1", .message), ("1y", .message), ("5µ", .message),
        ("", flag), ("h", flag), ("-1h", flag), ("+1h", flag), ("1.5h", flag), ("1y", flag), ("ten", flag), ("1ms", flag),
        ("1h30m", flag), ("30", retentionFlag),
    ]

    @Test(arguments: refused)
    func refuses(_ text: String, _ dialect: DurationText.Dialect) {
        #expect(throws: DurationText.Failure.invalid) { try DurationText.parse(text, dialect).get() }
    }

    @Test func namesThePartThatOverflows() {
        #expect(throws: DurationText.Failure.overflow("99999999999999w")) {
            try DurationText.parse("1h99999999999999w", .influxQL).get()
        }
        #expect(throws: DurationText.Failure.overflow("99999999999999w")) {
            try DurationText.parse("99999999999999w", Self.flag).get()
        }
    }

    static let formatted: [(Int64, DurationText.Dialect, String)] = [
        (7 * 86_400 * s, .influxQL, "1w"), (90 * 60 * s, .influxQL, "90m"), (1_500_000_000, .influxQL, "1500ms"),
        (5_000, .influxQL, "5u"), (5_000, .message, "5us"), (7, .influxQL, "7ns"), (0, .influxQL, "0ns"),
        (2 * 86_400 * s, retentionFlag, "2d"),
    ]

    @Test(arguments: formatted)
    func writesTheLargestUnitThatDivides(_ nanoseconds: Int64, _ dialect: DurationText.Dialect, _ text: String) throws {
        #expect(DurationText.format(nanoseconds, dialect) == text)
        #expect(try DurationText.parse(text, dialect).get() == nanoseconds)
    }
}
