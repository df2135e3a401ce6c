import Foundation
import NIOCore
import Synchronization
import StrataTestSupport
import Testing
@testable import StrataServer

/// The WebSocket transport over real sockets, with stand-in endpoints for the hub: message
/// flow both ways, close codes, slow and dead clients, shutdown.
@Suite(.serialized) struct StreamTransportTests {
    @Test func messagesFlowBothWaysAndTheEndpointLearnsOfTheClose() async throws {
        let endpoints = FakeEndpoints()
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let (reply, close) = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                try socket.sendText("{\"action\":\"ping\"}")
                let reply = try socket.readDataOrClose()
                try socket.sendClose()
                return (reply, try socket.readDataOrClose())
            }
            #expect(reply?.opcode == 0x1)
            #expect(reply?.text == "{\"action\":\"ping\"}")
            #expect(close?.close?.code == 1000)
            let endpoint = try #require(endpoints.first)
            #expect(try await eventually { endpoint.closed.load(ordering: .relaxed) })
            #expect(endpoint.received.withLock { $0 } == ["{\"action\":\"ping\"}"])
        }
    }

    @Test func aCloseFromTheHubCarriesItsCodeAndReason() async throws {
        let endpoints = FakeEndpoints { _, endpoint in
            endpoint.queue(.close(code: 4001, reason: "closed by an admin"))
        }
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let frame = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                try socket.sendText("{}")
                let frame = try socket.readDataOrClose()
                try socket.sendClose()
                return frame
            }
            #expect(frame?.close?.code == 4001)
            #expect(frame?.close?.reason == "closed by an admin")
            #expect(try await eventually { endpoints.first?.closed.load(ordering: .relaxed) == true })
        }
    }

    @Test func aBinaryMessageClosesWith1003() async throws {
        let endpoints = FakeEndpoints()
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let frame = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                try socket.sendFrame(opcode: 0x2, payload: [1, 2, 3])
                return try socket.readDataOrClose()
            }
            #expect(frame?.close?.code == 1003)
            #expect(frame?.close?.reason == StreamSocket.binaryRefusal)
            #expect((endpoints.first?.received.withLock { $0 } ?? []) == [])
        }
    }

    @Test func aTextMessageThatIsNotUTF8ClosesWith1007() async throws {
        let endpoints = FakeEndpoints()
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let frame = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                try socket.sendFrame(opcode: 0x1, payload: [0x7B, 0xFF, 0xFE, 0x7D])
                return try socket.readDataOrClose()
            }
            #expect(frame?.close?.code == 1007)
            #expect((endpoints.first?.received.withLock { $0 } ?? []) == [])
        }
    }

    @Test(arguments: [false, true])
    func anOversizedMessageClosesWith1009(fragmented: Bool) async throws {
        let endpoints = FakeEndpoints()
        let settings = StreamSettings(maxMessageBytes: 1024)
        try await StreamTestServer.with(settings: settings, open: endpoints.opener) { server in
            let frame = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                let big = [UInt8](repeating: 0x61, count: 800)
                if fragmented {
                    try socket.sendFrame(opcode: 0x1, payload: big, fin: false)
                    try socket.sendFrame(opcode: 0x0, payload: big, fin: true)
                } else {
                    try socket.sendFrame(opcode: 0x1, payload: big + big)
                }
                return try socket.readDataOrClose()
            }
            #expect(frame?.close?.code == 1009)
            #expect((endpoints.first?.received.withLock { $0 } ?? []) == [])
        }
    }

    @Test func aPeerThatNeverAnswersPingsIsDropped() async throws {
        let endpoints = FakeEndpoints()
        let settings = StreamSettings(pingInterval: .milliseconds(300))
        try await StreamTestServer.with(settings: settings, open: endpoints.opener) { server in
            let frames = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                var frames: [RawSocket.Frame] = []
                while frames.count < 10, let frame = try socket.readFrame() { frames.append(frame) }
                return frames
            }
            #expect(frames.first?.opcode == 0x9, "a ping first")
            #expect(frames.last?.close?.code == 1001, "then a close: \(frames.map(\.opcode))")
            #expect(try await eventually { endpoints.first?.closed.load(ordering: .relaxed) == true })
        }
    }

    /// Far more than the socket buffers hold, so the writer stops while the channel is full
    /// and must go on by itself once the client has read: nothing lost, nothing reordered.
    @Test func aClientThatReadsSlowlyGetsEveryMessageInOrder() async throws {
        let padding = String(repeating: "x", count: 60_000)
        let endpoints = FakeEndpoints { text, endpoint in
            guard text == "flood" else { return endpoint.send(text) }
            for i in 0..<150 { endpoint.send("\(i):\(padding)") }
        }
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let received = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port, receiveBuffer: 4096)
                try socket.sendText("flood")
                // 9 MB: the server's socket and channel buffers fill long before the end.
                Thread.sleep(forTimeInterval: 0.3)
                var prefixes: [String] = []
                for _ in 0..<150 {
                    guard let frame = try socket.readDataOrClose(), frame.opcode == 0x1 else { break }
                    prefixes.append(String(frame.text.prefix { $0 != ":" }))
                }
                try socket.sendClose()
                return prefixes
            }
            #expect(received == (0..<150).map(String.init))
        }
    }

    @Test func aClientThatStopsReadingIsDroppedWithoutHoldingOthersUp() async throws {
        let chunk = ByteBuffer(string: String(repeating: "x", count: 60_000))
        // "flood": 2,000 messages of 60 kB (one shared buffer) to that client alone: 120 MB,
        // far past what the socket buffers hold (the server's send buffer grows to 4 MiB
        // here, tcp_wmem; the client's 4 KiB receive buffer is fixed before connecting).
        let endpoints = FakeEndpoints { text, endpoint in
            if text == "flood" {
                for _ in 0..<2_000 { endpoint.queue(.text(chunk)) }
            } else {
                endpoint.send(text)
            }
        }
        let settings = StreamSettings(stallTimeout: .seconds(1))
        try await StreamTestServer.with(settings: settings, open: endpoints.opener) { server in
            let stalled = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port, receiveBuffer: 4096)
                try socket.sendText("flood")
                return socket
            }
            // Another client keeps talking while the first one stalls.
            let echoes = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                var echoes = 0
                for i in 0..<20 {
                    try socket.sendText("m\(i)")
                    if try socket.readDataOrClose()?.text == "m\(i)" { echoes += 1 }
                }
                return echoes
            }
            #expect(echoes == 20)
            let flooded = try #require(endpoints.first)
            #expect(try await eventually(timeout: .seconds(15)) { flooded.closed.load(ordering: .relaxed) },
                    "the stalled client is dropped")
            // Reading what the kernel still holds for it would take minutes through its
            // shrunk window; closing our end is enough.
            _ = stalled
        }
    }

    @Test func shutdownClosesOpenStreamsWith1001() async throws {
        let endpoints = FakeEndpoints()
        try await StreamTestServer.with(open: endpoints.opener) { server in
            let socket = try await offPool { try RawSocket.upgraded(port: server.port) }
            #expect(try await eventually { endpoints.first != nil })
            async let frame = offPool { try socket.readDataOrClose() }
            await server.group.triggerGracefulShutdown()
            let close = try await frame
            #expect(close?.close?.code == 1001)
            #expect(close?.close?.reason == StreamSocket.shutdownReason)
            try await offPool { try socket.sendClose() }
        }
    }
}
