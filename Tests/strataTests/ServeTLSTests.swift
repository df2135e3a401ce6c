import Foundation
import StrataTestSupport
import Testing

/// `strata serve --tls-cert --tls-key`: HTTPS and WSS on one port with a self-signed
/// certificate (docs/tls.md), checked by curl and by the seed-style WebSocket client
/// trusting that certificate; plain HTTP to the same port gets no answer.
///
/// In the MQTT tests' serialized suite, so that these server-and-client tests run one at a
/// time rather than beside each other and the rest of the suite.
extension MQTTIngestTests {
    @Test func httpsAndWSS() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tls = try SelfSignedCertificate.make(in: dir + "/pki")
        let server = try ServerProcess.start(dataDir: dir + "/data",
                                             extraArguments: ["--tls-cert", tls.certificate, "--tls-key", tls.key])
        defer { server.kill() }
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
        let base = server.baseURL
        try await Self.waitForTLS { try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(base)/ping"], ca: tls.certificate) == "204" }
        #expect(try Self.curl(["-X", "POST", "--data-urlencode", "q=CREATE DATABASE robots", "\(base)/query"], ca: tls.certificate)
            .contains("statement_id"))
        let written = try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-binary",
                                     "robot,device_id=robot-0001 battery=81.5 1000000000\nrobot,device_id=robot-0001 battery=81 2000000000",
                                     "\(base)/write?db=robots"], ca: tls.certificate)
        #expect(written == "204")
        let wss = base.replacingOccurrences(of: "https://", with: "wss://") + "/v1/stream"
        let client = try await PythonScript.run(path: Self.script("seed_client.py"), arguments: [
            "--url", wss, "--ca", tls.certificate, "--device", "robot-0001", "--last", "2", "--expect", "2", "--timeout", "20",
        ], timeout: .seconds(60))
        #expect(client.status == 0, "\(client.output)")
        #expect(client.output.contains(#""points": 2"#), "\(client.output)")
        // Without the CA the certificate is not trusted; over plain HTTP the port says nothing useful.
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(base)/ping"], ca: nil) == "000")
        let plain = base.replacingOccurrences(of: "https://", with: "http://")
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(plain)/ping"], ca: nil) != "204")
        _ = try await server.terminate()
    }

    /// curl's stdout; `ca` nil: the system's CAs only.
    static func curl(_ arguments: [String], ca: String?) throws -> String {
        try ChildProcess.run("/usr/bin/curl", ["--silent", "--max-time", "10"] + (ca.map { ["--cacert", $0] } ?? []) + arguments)
            .output
    }

    static func waitForTLS(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestError("not ready within 30 s")
    }
}
