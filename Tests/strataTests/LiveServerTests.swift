import Foundation
import StrataTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The built `strata serve` as a real process on a real socket: writes with and without gzip,
/// error answers, SIGTERM, and a restart on the same data directory that still has the data.
@Suite(.serialized)
struct LiveServerTests {
    @Test func serveWriteStopRestart() async throws {
        let dataDir = TemporaryDirectory.uniquePath(prefix: "strata-live")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }

        let first = try ServerProcess.start(dataDir: dataDir)
        let statsBefore: [String: Any]
        do {
            try await first.waitForPing()
            let url = first.baseURL
            #expect(try await HTTP.send("POST", "\(url)/query?q=CREATE+DATABASE+robots").status == 200)
            let plain = "robot,device_id=r1 battery=81.5,moving=true 1704067200000000000\n"
                + "robot,device_id=r2 battery=80 1704067200000000000\n"
            #expect(try await HTTP.send("POST", "\(url)/write?db=robots", body: Data(plain.utf8)).status == 204)
            let zipped = try Gzip.compress(Data("robot,device_id=r3 battery=79.25 1704067201000000000\n".utf8))
            let gz = try await HTTP.send("POST", "\(url)/write?db=robots", body: zipped, headers: ["Content-Encoding": "gzip"])
            #expect(gz.status == 204)

            let partial = try await HTTP.send(
                "POST", "\(url)/write?db=robots", body: Data("robot,device_id=r4 battery=1 1\nnot line protocol\n".utf8))
            #expect(partial.status == 400)
            #expect(partial.text.hasPrefix(#"{"error":"partial write: unable to parse 'not line protocol'"#))
            #expect(partial.text.contains("dropped=1"))

            let missing = try await HTTP.send("POST", "\(url)/write?db=nope", body: Data("m v=1 1".utf8))
            #expect(missing.status == 404)
            #expect(missing.header("X-Influxdb-Error") == #"database not found: "nope""#)

            // Over the default 32 MiB limit, announced by Content-Length and as a gzip bomb.
            let big = Data(repeating: UInt8(ascii: "a"), count: 33 << 20)
            #expect(try await HTTP.send("POST", "\(url)/write?db=robots", body: big).status == 413)
            let bomb = try Gzip.compress(big)
            #expect(bomb.count < 1 << 20)
            #expect(try await HTTP.send("POST", "\(url)/write?db=robots", body: bomb, headers: ["Content-Encoding": "gzip"]).status == 413)

            statsBefore = try await Self.stats(url)
            #expect(statsBefore["seriesCount"] as? Int == 4)
            #expect(statsBefore["headRows"] as? Int == 4)
            #expect(try await first.terminate() == 0)
        } catch {
            first.kill()
            throw error
        }

        let second = try ServerProcess.start(dataDir: dataDir)
        do {
            try await second.waitForPing()
            let statsAfter = try await Self.stats(second.baseURL)
            #expect(statsAfter["seriesCount"] as? Int == statsBefore["seriesCount"] as? Int)
            #expect(statsAfter["lastSequence"] as? Int == statsBefore["lastSequence"] as? Int)
            // Every row written before the restart is back: SIGTERM leaves them in the WAL,
            // and the restart replays them into the head.
            #expect(statsAfter["headRows"] as? Int == statsBefore["headRows"] as? Int)
            let show = try await HTTP.send("GET", "\(second.baseURL)/query?q=SHOW+DATABASES")
            #expect(show.text.contains(#"["robots"]"#))
            // Writes still land after the restart, with the field types established before it.
            let conflict = try await HTTP.send(
                "POST", "\(second.baseURL)/write?db=robots", body: Data("robot,device_id=r1 battery=\"low\" 5".utf8))
            #expect(conflict.status == 400)
            #expect(conflict.text.contains("field type conflict"))
            #expect(try await second.terminate() == 0)
        } catch {
            second.kill()
            throw error
        }
    }

    private static func stats(_ url: String) async throws -> [String: Any] {
        let health = try await HTTP.send("GET", "\(url)/health")
        #expect(health.status == 200)
        let json = try JSONSerialization.jsonObject(with: health.body) as? [String: Any]
        return try #require(json?["stats"] as? [String: Any])
    }
}
