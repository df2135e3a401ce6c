import StrataCore
import Testing
@testable import StrataQuery

@Suite struct FormatTimeTests {
    static let cases: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00Z"),
        (1_704_067_200_000_000_000, "2024-01-01T00:00:00Z"),
        (1_704_067_200_500_000_000, "2024-01-01T00:00:00.5Z"),
        (1_704_067_200_000_000_001, "2024-01-01T00:00:00.000000001Z"),
        (1_704_067_200_123_456_789, "2024-01-01T00:00:00.123456789Z"),
        (1_704_067_261_120_000_000, "2024-01-01T00:01:01.12Z"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (-86_400_000_000_000, "1969-12-31T00:00:00Z"),
        (.max, "2262-04-11T23:47:16.854775807Z"),
        (.min, "1677-09-21T00:12:43.145224192Z"),
    ]

    @Test(arguments: cases)
    func rfc3339Nano(_ nanoseconds: Int64, _ text: String) {
        #expect(RFC3339.format(nanoseconds) == text)
        #expect(RFC3339.parse(text) == nanoseconds)
    }

    @Test(arguments: [
        ("2024-01-01T01:00:00+01:00", Int64(1_704_067_200_000_000_000)),
        ("2024-01-01T00:00:00.1234567891Z", 1_704_067_200_123_456_789),
        ("2023-12-31T19:00:00-05:00", 1_704_067_200_000_000_000),
    ])
    func parsesOffsetsAndLongFractions(_ text: String, _ nanoseconds: Int64) {
        #expect(RFC3339.parse(text) == nanoseconds)
    }

    @Test(arguments: ["", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00.Z",
                      "robot-0001", "2024-01-01T00:00:00Zjunk"])
    func rejectsOtherText(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    static let t: Int64 = 1_704_067_200_123_456_789
    static let epochCases: [(TimeUnit, Int64, Int64)] = [
        (.hours, t, 473_352),
        (.minutes, t, 28_401_120),
        (.seconds, t, 1_704_067_200),
        (.milliseconds, t, 1_704_067_200_123),
        (.microseconds, t, 1_704_067_200_123_456),
        (.nanoseconds, t, t),
        // Truncated toward zero, as Go's integer division in InfluxDB's convertToEpoch.
        (.seconds, -1_500_000_000, -1),
        (.hours, 3_599_999_999_999, 0),
    ]

    @Test(arguments: epochCases)
    func epoch(_ epoch: TimeUnit, _ nanoseconds: Int64, _ expected: Int64) {
        #expect(epoch.units(fromNanoseconds: nanoseconds) == expected)
    }

    @Test(arguments: [
        ("h", TimeUnit.hours), ("m", .minutes), ("s", .seconds), ("ms", .milliseconds), ("u", .microseconds),
        ("us", .microseconds), ("µ", .microseconds), ("ns", .nanoseconds), ("n", .nanoseconds),
    ])
    func epochParameter(_ text: String, _ epoch: TimeUnit) {
        #expect(TimeUnit(parameter: text) == epoch)
    }

    @Test func unknownEpochParameter() {
        #expect(TimeUnit(parameter: "rfc3339") == nil)
        #expect(TimeUnit(parameter: "") == nil)
    }
}
