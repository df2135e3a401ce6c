import Foundation
import StrataTestSupport
import Testing

/// `strata serve` as a process: its security rule at start, and a live subscription end to
/// end over real sockets (HTTP write in, WebSocket data out), plus /metrics after it.
@Suite(.serialized) struct ServeWebSocketTests {
    @Test func refusesToServeAnotherAddressWithoutTokens() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-ws")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = Process()
        process.executableURL = try ServerProcess.strataBinary()
        // Port 0 on every interface: refused before anything binds.
        process.arguments = ["serve", "--data-dir", dir, "--http", "0.0.0.0:0"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            process.terminate()
            Issue.record("strata serve started on 0.0.0.0 without tokens")
            return
        }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(text.contains("refusing to listen on 0.0.0.0"), "\(text)")
        #expect(text.contains("--insecure"), "\(text)")
        #expect(!text.contains("strata listening on"))
    }

    @Test func aSubscriberReceivesAPointWrittenOverHTTP() async throws {
        let dir = TemporaryDirectory.uniquePath(prefix: "strata-ws")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess.start(dataDir: dir)
        defer { server.kill() }
        try await server.waitForPing()
        let create = try await HTTP.send("POST", "\(server.baseURL)/query", body: Data("q=CREATE DATABASE robots".utf8),
                                         headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(create.status == 200)

        let port = server.port
        let socket = try await offPool { () -> RawSocket in
            let socket = try RawSocket.upgraded(port: port)
            try socket.sendText("""
                {"action":"subscribe","id":"s1","db":"robots","measurement":"robot","where":{"device_id":"r1"},"start":"now"}
                """)
            return socket
        }
        // Subscribed and live before the write, so the point arrives as live data.
        let ready = try await offPool { () -> [String] in
            var texts: [String] = []
            while texts.count < 5, !texts.contains(where: { $0.contains("\"type\":\"live\"") }),
                  let frame = try socket.readDataOrClose(), frame.opcode == 1 {
                texts.append(frame.text)
            }
            return texts
        }
        #expect(ready.first?.contains("\"type\":\"subscribed\"") == true, "\(ready)")
        #expect(ready.last?.contains("\"type\":\"live\"") == true, "\(ready)")

        let write = try await HTTP.send("POST", "\(server.baseURL)/write?db=robots",
                                        body: Data("robot,device_id=r2 battery=1 1\nrobot,device_id=r1 battery=81.5 1704067200000000000\n".utf8))
        #expect(write.status == 204)
        let data = try await offPool { try socket.readDataOrClose() }
        let text = data?.text ?? ""
        #expect(text.contains("\"type\":\"data\""), "\(text)")
        #expect(text.contains("\"id\":\"s1\""), "\(text)")
        #expect(text.contains("[1704067200000000000,81.5]"), "\(text)")
        #expect(!text.contains("r2"), "only the subscribed device: \(text)")

        let metrics = try await HTTP.send("GET", "\(server.baseURL)/metrics")
        #expect(metrics.status == 200)
        for name in ["strata_points_written_total 2", "strata_write_requests_total", "strata_live_connections 1",
                     "strata_wal_fsync_duration_seconds_count", "strata_head_rows 2", "strata_series 2"] {
            #expect(metrics.text.contains(name), "missing \(name) in:\n\(metrics.text)")
        }
        try await offPool { try socket.sendClose() }
        #expect(try await server.terminate() == 0)
    }
}
