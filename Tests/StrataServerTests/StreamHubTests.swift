import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import StrataCore
import Synchronization
import StrataTestSupport
import Testing
@testable import StrataServer

/// The transport and the real hub together over real sockets: a subscription's data,
/// and a stalled client beside a healthy one.
@Suite(.serialized) struct StreamHubTests {
    static let reader = Principal(tokenID: "t-read", scopes: [.read])
    static let tokens = Authenticator(staticTokens: ["secret-read": reader])

    static func subscribe(_ id: String, policy: String = "conflate", device: String? = nil) -> String {
        let filter = device.map { ",\"where\":{\"device_id\":\"\($0)\"}" } ?? ""
        return "{\"action\":\"subscribe\",\"id\":\"\(id)\",\"db\":\"robots\",\"measurement\":\"robot\"\(filter),\"start\":\"now\",\"policy\":\"\(policy)\"}"
    }

    static func batch(_ n: Int, points: Int, payload: String = "") -> WriteBatch {
        WriteBatch(database: "robots", points: (0..<points).map { i in
            var fields = [Field("battery", .float(Double(n)))]
            if !payload.isEmpty { fields.append(Field("note", .string(payload))) }
            return Point(measurement: "robot", tags: [Tag("device_id", "r\(i)")], fields: fields,
                         timestamp: 1_704_067_200_000_000_000 + Int64(n) * 1_000_000_000)
        })
    }

    /// HummingbirdWSClient, token in the subprotocol: subscribed, live, then a written point.
    @Test func aLibraryClientReceivesAWrittenPoint() async throws {
        try await StreamTestServer.with(authenticator: Self.tokens) { server in
            let engine = server.engine
            let texts = Mutex<[String]>([])
            let configuration = WebSocketClientConfiguration(
                maxFrameSize: 1 << 20, additionalHeaders: [.secWebSocketProtocol: "strata.v1, bearer.secret-read"])
            // A guard against a hang, not a speed bound: a loaded CI machine took over 30 s.
            try await withTimeout(.seconds(120)) {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(server.port)/v1/stream", configuration: configuration,
                    logger: Logger(label: "strata.test.client")
                ) { inbound, outbound, _ in
                    try await outbound.write(.text(Self.subscribe("s1", device: "r0")))
                    var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    while let message = try await messages.next(), case .text(let text) = message {
                        texts.withLock { $0.append(text) }
                        if text.contains("\"type\":\"live\"") { break }
                    }
                    _ = try await engine.write(Self.batch(1, points: 2))
                    if let message = try await messages.next(), case .text(let text) = message {
                        texts.withLock { $0.append(text) }
                    }
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
            let got = texts.withLock { $0 }.map(jsonObject)
            #expect(got.first?["type"] as? String == "subscribed", "\(got)")
            #expect(got.dropLast().last?["type"] as? String == "live", "\(got)")
            let data = try #require(got.last)
            #expect(data["type"] as? String == "data")
            #expect(data["id"] as? String == "s1")
            #expect(rowCount(data) == 1, "only r0's point: \(data)")
        }
    }

    /// One client stops reading under policy `disconnect` while another keeps up and writes
    /// continue: the healthy one gets every point; the stalled one is dropped.
    @Test func aStalledClientIsDisconnectedWhileAnotherGetsEveryPoint() async throws {
        // The stall timeout well past the test, so only the policy can end the stalled
        // connection: its close frame cannot be written, and the watchdog drops the socket
        // after the 5 s close timeout. (With a 2 s stall timeout a loaded machine dropped the
        // socket before its queue filled, and the policy never acted.)
        let settings = StreamSettings(stallTimeout: .seconds(120))
        try await StreamTestServer.with(settings: settings) { server in
            let port = server.port
            let hub = server.services.hub
            // Subscribes, waits for "live", then never reads again; a 4 KiB receive buffer
            // (set before connecting) makes the server's writes back up quickly.
            let stalled = try await offPool { () -> RawSocket in
                let socket = try RawSocket.upgraded(port: port, receiveBuffer: 4096)
                try socket.sendText(Self.subscribe("slow", policy: "disconnect"))
                while let frame = try socket.readDataOrClose(), !frame.text.contains("\"type\":\"live\"") {}
                return socket
            }
            let healthy = try await offPool { () -> RawSocket in
                let socket = try RawSocket.upgraded(port: port)
                try socket.sendText(Self.subscribe("fast", device: "r0"))
                while let frame = try socket.readDataOrClose(), !frame.text.contains("\"type\":\"live\"") {}
                return socket
            }
            #expect(hub.connections().count == 2)
            let batches = 1_500, points = 10
            // ~40 kB per message to the stalled client (every device), 60 MB in all: far
            // past the socket buffers (4 MiB of send buffer, tcp_wmem, and the client's
            // 4 KiB). The healthy one follows one device, so it keeps up and never conflates.
            let note = String(repeating: "n", count: 4_000)
            let reader = Task {
                try await offPool { () -> Int in
                    var rows = 0
                    while rows < batches, let frame = try healthy.readDataOrClose(), frame.opcode == 1 {
                        let message = jsonObject(frame.text)
                        if message["type"] as? String == "data" { rows += rowCount(message) }
                    }
                    return rows
                }
            }
            for n in 0..<batches { _ = try await server.engine.write(Self.batch(n, points: points, payload: note)) }
            #expect(try await reader.value == batches, "the healthy client got every point of its device")
            #expect(try await eventually(timeout: .seconds(20)) { hub.connections().count == 1 },
                    "the stalled client is gone from the registry")
            let metrics = server.services.metrics.registry?.emitToString() ?? ""
            #expect(metrics.contains("strata_live_slow_disconnects_total 1"), "its policy disconnected it:\n\(metrics)")
            _ = stalled
        }
    }

    /// SIGTERM's graceful shutdown with a subscribed client: its close is 1001.
    @Test func shutdownClosesSubscribersWith1001() async throws {
        try await StreamTestServer.with { server in
            let port = server.port
            let socket = try await offPool { () -> RawSocket in
                let socket = try RawSocket.upgraded(port: port)
                try socket.sendText(Self.subscribe("s1"))
                while let frame = try socket.readDataOrClose(), !frame.text.contains("\"type\":\"live\"") {}
                return socket
            }
            async let close = offPool { () -> RawSocket.Frame? in
                while let frame = try socket.readDataOrClose() {
                    if frame.opcode == 0x8 { return frame }
                }
                return nil
            }
            await server.group.triggerGracefulShutdown()
            let frame = try await close
            #expect(frame?.close?.code == 1001)
            #expect(frame?.close?.reason == "server shutting down")
            try await offPool { try socket.sendClose() }
        }
    }
}
