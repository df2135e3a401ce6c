import Foundation
import Testing

/// Strata against a real InfluxDB 1.6: Tests/differential/differential.py starts both on free
/// loopback ports, writes one deterministic dataset to both and compares their answers to every
/// query of Tests/differential/queries.txt (docs/testing.md, "Differential test"). Needs the
/// Debian package influxdb (scripts/setup-debian.sh): without it this test fails, it never skips.
@Suite struct DifferentialTests {
    @Test(.timeLimit(.minutes(10))) func strataAnswersLikeInfluxDB() async throws {
        let strata = try ServerProcess.strataBinary()
        let result = try await PythonScript.run(
            "differential.py", arguments: ["--strata", strata.path, "--time-limit", "500"], timeout: .seconds(540))
        #expect(
            result.status == 0,
            "differential.py exited \(result.status); to reproduce: python3 Tests/differential/differential.py --strata \(strata.path)\n\(PythonScript.excerpt(result.output))"
        )
    }
}
