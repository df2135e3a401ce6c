import Testing
import StrataCore
@testable import strata

@Suite struct FlagDurationTests {
    @Test(arguments: [("0", 0.0), ("90", 90), ("90s", 90), ("15m", 900), ("1h", 3_600), ("2d", 172_800), ("2w", 1_209_600)] as [(String, Double)])
    func parses(_ text: String, _ seconds: Double) {
        #expect(DurationText.flagSeconds(text) == seconds)
    }

    @Test(arguments: ["", "h", "w", "-1h", "1.5h", "1y", "ten"])
    func rejects(_ text: String) {
        #expect(DurationText.flagSeconds(text) == nil)
    }
}
