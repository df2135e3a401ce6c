import Foundation
import Testing
@testable import StrataQuery

/// The system's zone database as tz() reads it: TZif files and their POSIX footer rules.
@Suite struct ZoneInfoTests {
    /// Zones with DST north and south, half and quarter hours, a 30-minute DST (Lord Howe),
    /// negative DST (Dublin), and none. Their rules have not changed in years, so the
    /// toolchain's copy of the database (Foundation's, through ICU) must agree with the
    /// system's to the second.
    static let zones = ["America/Chicago", "America/New_York", "Europe/London", "Europe/Dublin", "Europe/Paris",
                        "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo",
                        "America/St_Johns", "Pacific/Auckland", "UTC", "Etc/GMT+5"]

    @Test(arguments: zones)
    func offsetsAgreeWithFoundationFrom1990To2100(_ name: String) throws {
        let zone = try #require(QueryZone(name))
        let reference = try #require(TimeZone(identifier: name))
        // 2100 is past every table: the years after the last transition follow the footer.
        let from: Int64 = 631_152_000, to: Int64 = 4_102_444_800
        var mismatches: [String] = []
        for i: Int64 in 0..<2_000 {
            // Evenly through the years, each at another time of day (7919 is prime).
            let t = from + i * ((to - from) / 2_000) + i * 7_919 % 86_400
            let ours = zone.offset(at: t * 1_000_000_000) / 1_000_000_000
            let theirs = Int64(reference.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
            if ours != theirs { mismatches.append("\(t): \(ours) vs \(theirs)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "America/../../etc/passwd", ".hidden", "America",
                      "America//Chicago", "Mars/Olympus", "America/Chicago\0", String(repeating: "a", count: 300)])
    func namesOutsideTheDatabaseAreNoZone(_ name: String) {
        #expect(QueryZone(name) == nil)
    }

    @Test(arguments: [
        // 2024: DST from March 10, 08:00Z to November 3, 07:00Z.
        ("CST6CDT,M3.2.0,M11.1.0", 1_710_057_599, -21_600), ("CST6CDT,M3.2.0,M11.1.0", 1_710_057_600, -18_000),
        ("CST6CDT,M3.2.0,M11.1.0", 1_730_617_199, -18_000), ("CST6CDT,M3.2.0,M11.1.0", 1_730_617_200, -21_600),
        ("<+0545>-5:45", 0, 20_700),
        // Southern: daylight across the new year.
        ("AEST-10AEDT,M10.1.0,M4.1.0/3", 1_704_067_200, 39_600), ("AEST-10AEDT,M10.1.0,M4.1.0/3", 1_719_792_000, 36_000),
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1_704_067_200, 39_600),
        // Dublin: winter is the "daylight" time, one hour behind.
        ("IST-1GMT0,M10.5.0,M3.5.0/1", 1_704_067_200, 0), ("IST-1GMT0,M10.5.0,M3.5.0/1", 1_719_792_000, 3_600),
        ("EST5EDT", 1_719_792_000, -14_400),
    ] as [(String, Int64, Int32)])
    func posixRules(_ text: String, _ t: Int64, _ offset: Int32) throws {
        #expect(try #require(PosixZoneRule(text)).offset(at: t) == offset)
    }

    @Test(arguments: ["", "C6", "CST", "CST6CDT,M13.1.0,M11.1.0", "CST6CDT,M3.2.0", "CST6CDT,M3.2.0,M11.1.0x", "<CST6"])
    func rulesThatAreNotRulesAreRefused(_ text: String) {
        #expect(PosixZoneRule(text) == nil)
    }

    @Test func damagedFilesAreRefused() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: ZoneDatabase.directory + "/America/Chicago")))
        #expect(throws: ZoneInfo.Failure.self) { try ZoneInfo(bytes: Array(bytes.prefix(100))) }
        #expect(throws: ZoneInfo.Failure.self) { try ZoneInfo(bytes: Array("TZjf".utf8) + bytes.dropFirst(4)) }
        var huge = bytes
        huge[32] = 0x7F  // the first timecnt
        #expect(throws: ZoneInfo.Failure.self) { try ZoneInfo(bytes: huge) }
    }
}
