import Foundation
import StrataTestSupport
import Testing

/// `strata serve --mqtt-broker` against real brokers on loopback (docs/mqtt.md): 100 robots
/// publishing JSON at QoS 1, a SIGKILL of Strata in the middle, and every message the broker
/// accepted stored exactly once, through mosquitto and through NATS's MQTT listener; TLS
/// brokers; a rules file with a mistake.
@Suite(.serialized) struct MQTTIngestTests {
    static let rules = """
        [{"topic": "robots/+/telemetry", "db": "robots", "measurement": "robot",
          "tags": {"device_id": "{topic.1}"}, "time": {"field": "timestamp", "unit": "ms"}}]
        """
    static let robots = 100
    static let messages = 60

    @Test(arguments: BrokerKind.allCases)
    func robotsAreStoredExactlyOnceAcrossAKill9(_ kind: BrokerKind) async throws {
        let broker = try await kind.start()
        defer { broker.stop() }
        try await withDataDirectory { dir, rulesFile in
            let arguments = ["--mqtt-broker", "tcp://127.0.0.1:\(broker.port)", "--mqtt-rules", rulesFile,
                             "--mqtt-client-id", "strata-test-\(UUID().uuidString.prefix(8))"]
            let first = try ServerProcess.start(dataDir: dir, extraArguments: arguments)
            defer { first.kill() }
            try await first.waitForPing()
            // 10 messages a second per robot. The publisher stops after a third of them until
            // the resume file appears, so the kill comes mid-stream however slow the machine
            // is (the suite runs beside other tests on two cores); the rest is published
            // while Strata is down and starting again, and the broker keeps it meanwhile.
            let resume = dir + "-resume"
            defer { try? FileManager.default.removeItem(atPath: resume) }
            let publisher = Task {
                try await PythonScript.run(path: Self.script("mqtt_robots.py"), arguments: [
                    "--port", "\(broker.port)", "--robots", "\(Self.robots)", "--messages", "\(Self.messages)",
                    "--rate", "10", "--pause-after", "\(Self.messages / 3)", "--resume-file", resume, "--timeout", "150",
                ], timeout: .seconds(180))
            }
            let before = try await Self.waitForCount(first, atLeast: 1, timeout: .seconds(60))
            first.kill()
            #expect(before > 0 && before <= Self.robots * Self.messages / 3, "\(before) stored at the kill")
            #expect(FileManager.default.createFile(atPath: resume, contents: nil))
            let second = try ServerProcess.start(dataDir: dir, extraArguments: arguments)
            defer { second.kill() }
            let published = try await publisher.value
            #expect(published.status == 0, "\(published.output)\n\(MosquittoBroker.setupHint)")
            let total = try await Self.waitForCount(second, atLeast: Self.robots * Self.messages, timeout: .seconds(60))
            #expect(total == Self.robots * Self.messages)
            // Each robot's every message, each once: counts and battery sums per device.
            let perDevice = try await Self.query(second, "SELECT count(battery), sum(battery) FROM robot GROUP BY device_id")
            #expect(perDevice.count == Self.robots)
            for (device, row) in perDevice {
                let r = Double(Int(device.dropFirst("robot-".count)) ?? -1)
                let expectedSum = (0..<Self.messages).reduce(0.0) { $0 + ((r + Double($1) / 1_000) * 1_000).rounded() / 1_000 }
                #expect(row[0] == Double(Self.messages), "\(device)")
                #expect(abs(row[1] - expectedSum) < 1e-6, "\(device): \(row[1]) != \(expectedSum)")
            }
            let metrics = try await HTTP.send("GET", "\(second.baseURL)/metrics").text
            #expect(metrics.contains("strata_mqtt_connected 1"))
            _ = try await second.terminate()
        }
    }

    /// ssl:// with the broker's CA, as AWS IoT Core is reached (there with a client certificate too).
    @Test func aTLSBroker() async throws {
        try await withDataDirectory { dir, rulesFile in
            let tls = try SelfSignedCertificate.make(in: dir + "-tls")
            defer { try? FileManager.default.removeItem(atPath: dir + "-tls") }
            let broker = try await MosquittoBroker.start(tls: tls)
            defer { broker.stop() }
            let server = try ServerProcess.start(dataDir: dir, extraArguments: [
                "--mqtt-broker", "ssl://127.0.0.1:\(broker.tlsPort!)", "--mqtt-rules", rulesFile, "--mqtt-ca", tls.certificate,
                "--mqtt-client-id", "strata-tls-\(UUID().uuidString.prefix(8))",
            ])
            defer { server.kill() }
            try await server.waitForPing()
            try await Self.waitForConnected(server)
            try await Self.publishAndCount(broker: broker, server: server, robots: 3, messages: 5)
            _ = try await server.terminate()
        }
    }

    /// A broker that takes only clients with a certificate it trusts, as AWS IoT Core does:
    /// Strata with --mqtt-cert/--mqtt-key gets in, and without them it is refused and retries.
    @Test func aBrokerThatRequiresAClientCertificate() async throws {
        try await withDataDirectory { dir, rulesFile in
            let pki = dir + "-pki"
            defer { try? FileManager.default.removeItem(atPath: pki) }
            let ca = try SelfSignedCertificate.make(in: pki)
            let thing = try ca.client("strata-thing", in: pki)
            let broker = try await MosquittoBroker.start(tls: ca, requireClientCertificate: true)
            defer { broker.stop() }
            let common = ["--mqtt-broker", "ssl://127.0.0.1:\(broker.tlsPort!)", "--mqtt-rules", rulesFile,
                          "--mqtt-ca", ca.certificate]
            let refused = try ServerProcess.start(dataDir: dir + "-refused", extraArguments: common)
            defer { refused.kill() }
            let server = try ServerProcess.start(dataDir: dir, extraArguments: common + [
                "--mqtt-cert", thing.certificate, "--mqtt-key", thing.key,
                "--mqtt-client-id", "strata-cert-\(UUID().uuidString.prefix(8))",
            ])
            defer { server.kill() }
            try await Self.waitForConnected(server)
            try await Self.publishAndCount(broker: broker, server: server, robots: 2, messages: 5)
            let metrics = try await HTTP.send("GET", "\(refused.baseURL)/metrics").text
            #expect(metrics.contains("strata_mqtt_connected 0"), "\(metrics)")
            #expect(refused.log.contains("mqtt connection failed"), "\(refused.log)")
            _ = try await server.terminate()
            _ = try await refused.terminate()
            try? FileManager.default.removeItem(atPath: dir + "-refused")
        }
    }

    @Test func aRulesFileWithAMistakeStopsTheServerNamingIt() async throws {
        try await withDataDirectory { dir, rulesFile in
            try #"[{"topic": "robots/+/telemetry", "db": "robots", "measurement": "robot", "tag": {}}]"#
                .write(toFile: rulesFile, atomically: true, encoding: .utf8)
            let (status, output) = try ChildProcess.run(try ServerProcess.strataBinary().path, [
                "serve", "--data-dir", dir, "--http", "127.0.0.1:0", "--mqtt-broker", "tcp://127.0.0.1:1", "--mqtt-rules", rulesFile,
            ], capture: .standardError)
            #expect(status == 64)
            #expect(output.contains(#"rule 1 (topic "robots/+/telemetry"): unknown key "tag""#), "\(output)")
        }
    }

    /// A broker that is not there: the HTTP API still serves, the ingest keeps trying (and
    /// counts it), and SIGTERM ends the server at once rather than after the next retry.
    @Test func aBrokerThatIsDownDoesNotHoldTheServer() async throws {
        try await withDataDirectory { dir, rulesFile in
            let server = try ServerProcess.start(dataDir: dir, extraArguments: [
                "--mqtt-broker", "tcp://127.0.0.1:\(try FreePort.pick())", "--mqtt-rules", rulesFile,
            ])
            defer { server.kill() }
            try await server.waitForPing()
            let deadline = ContinuousClock.now + .seconds(30)
            var metrics = ""
            while ContinuousClock.now < deadline, !metrics.contains("strata_mqtt_connect_failures_total 5") {
                metrics = try await HTTP.send("GET", "\(server.baseURL)/metrics").text
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(metrics.contains("strata_mqtt_connected 0"))
            #expect(server.log.contains("mqtt connection failed; reconnecting"))
            // Retries are 8 s apart by now; stopping must not wait for the next one.
            let started = ContinuousClock.now
            #expect(try await server.terminate() == 0)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    /// After a connection that worked, a lost broker is retried after the shortest delay
    /// again, not after the long one an earlier outage had grown to.
    @Test func reconnectingAfterAWorkingConnectionStartsWithTheShortestDelay() async throws {
        try await withDataDirectory { dir, rulesFile in
            let port = try FreePort.pick()
            let server = try ServerProcess.start(dataDir: dir, extraArguments: [
                "--mqtt-broker", "tcp://127.0.0.1:\(port)", "--mqtt-rules", rulesFile,
                "--mqtt-client-id", "strata-retry-\(UUID().uuidString.prefix(8))",
            ])
            defer { server.kill() }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, !server.log.contains("retryIn=2.0 seconds") {
                try await Task.sleep(for: .milliseconds(50))
            }
            let broker = try await MosquittoBroker.start(port: port)
            try await Self.waitForConnected(server)
            broker.stop()
            while ContinuousClock.now < deadline,
                !(server.log.components(separatedBy: "mqtt connected").last ?? "").contains("retryIn=")
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            let afterConnect = server.log.components(separatedBy: "mqtt connected").last ?? ""
            #expect(afterConnect.contains("retryIn=0.5 seconds"), "\(server.log)")
            _ = try await server.terminate()
        }
    }

    // MARK: - Support

    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/\(name)").path
    }

    private func withDataDirectory(_ body: (String, String) async throws -> Void) async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-mqtt")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rulesFile = "\(dir)/rules.json"
        try Self.rules.write(toFile: rulesFile, atomically: true, encoding: .utf8)
        try await body("\(dir)/data", rulesFile)
    }

    /// Series name (the device) → the row's values, for a query grouped by device_id.
    static func query(_ server: ServerProcess, _ q: String) async throws -> [String: [Double]] {
        var components = URLComponents(string: "\(server.baseURL)/query")!
        components.queryItems = [URLQueryItem(name: "db", value: "robots"), URLQueryItem(name: "q", value: q)]
        let answer = try await HTTP.send("GET", components.url!.absoluteString, timeout: 10)
        guard answer.status == 200,
            let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
            let results = json["results"] as? [[String: Any]]
        else { throw TestError("query failed: \(answer.status) \(answer.text)") }
        var out: [String: [Double]] = [:]
        for series in results.first?["series"] as? [[String: Any]] ?? [] {
            let device = (series["tags"] as? [String: String])?["device_id"] ?? ""
            let row = (series["values"] as? [[Any]])?.first ?? []
            out[device] = row.dropFirst().map { ($0 as? NSNumber)?.doubleValue ?? .nan }
        }
        return out
    }

    /// The number of points stored once it reaches `atLeast` (or the last seen at the timeout).
    static func waitForCount(_ server: ServerProcess, atLeast: Int, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var last = 0
        while ContinuousClock.now < deadline {
            if let rows = try? await query(server, "SELECT count(battery) FROM robot"), let n = rows[""]?.first, !n.isNaN {
                last = Int(n)
                if last >= atLeast { return last }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return last
    }

    /// Publishes `robots` × `messages` through the broker's plain listener and expects them all stored.
    static func publishAndCount(broker: MosquittoBroker, server: ServerProcess, robots: Int, messages: Int) async throws {
        let published = try await PythonScript.run(path: script("mqtt_robots.py"), arguments: [
            "--port", "\(broker.port)", "--robots", "\(robots)", "--messages", "\(messages)", "--rate", "0", "--timeout", "30",
        ], timeout: .seconds(60))
        #expect(published.status == 0, "\(published.output)")
        #expect(try await waitForCount(server, atLeast: robots * messages, timeout: .seconds(30)) == robots * messages)
    }

    /// `adminToken`: for a server with tokens, where /metrics needs the admin scope.
    static func waitForConnected(_ server: ServerProcess, adminToken: String? = nil) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        let headers = adminToken.map { ["Authorization": "Bearer \($0)"] } ?? [:]
        while ContinuousClock.now < deadline {
            if let text = try? await HTTP.send("GET", "\(server.baseURL)/metrics", headers: headers).text,
                text.contains("strata_mqtt_connected 1")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestError("strata never connected to the broker: \(server.log)")
    }
}
