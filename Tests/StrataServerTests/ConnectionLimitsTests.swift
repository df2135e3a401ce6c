import Foundation
import Logging
import ServiceLifecycle
import StrataCore
import StrataQuery
import StrataTestSupport
import Synchronization
import Testing
@testable import StrataServer

#if canImport(Glibc)
import Glibc
#endif

/// The connection limits of docs/limits-connections.md over real loopback sockets: header
/// timeout, idle timeout, head size, the connection table (eviction and 503), and the
/// per-token stream connection and subscription limits. Timeouts are configured short and
/// waited for generously; assertions are on what the client receives, not on timing.
@Suite(.serialized) struct ConnectionLimitsTests {
    static let reader = Principal(tokenID: "t-read", scopes: [.read])
    static let other = Principal(tokenID: "t-other", scopes: [.read])
    static let tokens = Authenticator(staticTokens: ["secret-read": reader, "secret-other": other])

    /// Limits with long timeouts unless a test shortens one.
    static func limits(maxConnections: Int = 0, maxHeaderBytes: Int = 64 << 10, headerTimeout: Duration = .seconds(60),
                       idleTimeout: Duration? = .seconds(60)) -> StrataServerConfiguration.Limits {
        StrataServerConfiguration.Limits(maxConnections: maxConnections, maxHeaderBytes: maxHeaderBytes,
                                         headerTimeout: headerTimeout, idleTimeout: idleTimeout)
    }

    static let ping = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

    /// A fresh connection's answer to `GET /ping` (its status line), or the error.
    static func pingStatus(port: Int) -> String {
        do {
            let socket = try RawSocket(port: port)
            try socket.send(ping)
            return try socket.readToEnd().components(separatedBy: "\r\n").first ?? ""
        } catch {
            return "\(error)"
        }
    }

    // MARK: Header and idle timeouts

    @Test func aHeadThatNeverCompletesGets408AndASilentSocketIsClosed() async throws {
        try await LimitsServer.with(limits: Self.limits(headerTimeout: .seconds(1))) { server in
            let (partial, silent) = try await offPool {
                let partial = try RawSocket(port: server.port)
                try partial.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                let silent = try RawSocket(port: server.port)
                return (try partial.readToEnd(), try silent.readToEnd())
            }
            #expect(partial.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(partial)")
            #expect(partial.contains("{\"error\":\"no complete request head within 1 s\"}"))
            #expect(silent == "")
            #expect(server.refused("header_timeout") == 2)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAndASlowSecondHeadGets408() async throws {
        // The idle timeout longer than the header timeout, so that the second head's 408 is
        // not overtaken by the idle close (which would also end a head that never completes).
        let limits = Self.limits(headerTimeout: .seconds(1), idleTimeout: .seconds(3))
        try await LimitsServer.with(limits: limits) { server in
            let (idle, slow) = try await offPool {
                let idle = try RawSocket(port: server.port)
                try idle.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let slow = try RawSocket(port: server.port)
                try slow.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                _ = try slow.readHead()
                // Known race (closing note of 2026-12-05): bytes of the next head that arrive
                // before the server marks the previous response done are not counted, and the
                // timeout then closes silently instead of answering 408. Wait past that moment.
                Thread.sleep(forTimeInterval: 0.3)
                try slow.send("GET /pi")
                return (try idle.readToEnd(), try slow.readToEnd())
            }
            // One answer, then the idle connection ends with nothing more.
            #expect(idle.hasPrefix("HTTP/1.1 204"), "\(idle)")
            #expect(idle.components(separatedBy: "HTTP/1.1 ").count == 2, "\(idle)")
            #expect(slow.contains("HTTP/1.1 408 Request Timeout\r\n"), "\(slow)")
        }
    }

    @Test func aWebSocketOutlivesTheHTTPTimeouts() async throws {
        let endpoints = FakeEndpoints()
        let limits = Self.limits(headerTimeout: .seconds(1), idleTimeout: .seconds(1))
        try await LimitsServer.with(limits: limits, open: endpoints.opener) { server in
            let reply = try await offPool {
                let socket = try RawSocket.upgraded(port: server.port)
                Thread.sleep(forTimeInterval: 3)
                try socket.sendText("{\"action\":\"ping\"}")
                let reply = try socket.readDataOrClose()
                try socket.sendClose()
                return reply
            }
            #expect(reply?.text == "{\"action\":\"ping\"}")
            #expect(server.refused("header_timeout") == 0)
        }
    }

    // MARK: Head size

    @Test func anOversizedHeadGets431AndALargeOneWithinTheLimitIsServed() async throws {
        try await LimitsServer.with(limits: Self.limits(maxHeaderBytes: 4096)) { server in
            let (header, url, fits) = try await offPool {
                let header = try RawSocket(port: server.port)
                try header.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "a", count: 8000))\r\n\r\n")
                let url = try RawSocket(port: server.port)
                // The server may answer before it has read all of it.
                try? url.send("GET /ping?q=\(String(repeating: "b", count: 100_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let fits = try RawSocket(port: server.port)
                try fits.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "a", count: 3000))\r\nConnection: close\r\n\r\n")
                return (try header.readToEnd(), try url.readToEnd(), try fits.readToEnd())
            }
            #expect(header.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(header)")
            #expect(header.contains("exceed the limit of 4096 bytes"))
            #expect(url.hasPrefix("HTTP/1.1 431 "), "\(url)")
            #expect(fits.hasPrefix("HTTP/1.1 204"), "\(fits)")
            #expect(server.refused("header_too_large") == 2)
        }
    }

    // MARK: Maximum connections

    /// The issue's measurement, scaled to this process's file limit: slow sockets beyond
    /// the maximum make the oldest close, so `/ping` on a fresh connection is answered in
    /// every round while they keep sending a byte at a time.
    @Test func pingIsAnsweredWhileSlowSocketsOutnumberTheMaximum() async throws {
        let fileLimit = Self.raiseFileLimit(to: 4_096)
        let sockets = min(1_100, (fileLimit - 400) / 2)
        let maximum = sockets * 900 / 1_100
        try #require(sockets >= 100, "file limit \(fileLimit) is too low")
        try await LimitsServer.with(limits: Self.limits(maxConnections: maximum)) { server in
            let statuses = try await offPool {
                var slow: [RawSocket] = []
                for _ in 0..<sockets {
                    let socket = try RawSocket(port: server.port, timeout: .seconds(2))
                    try? socket.send("GET /query?q=SHOW+DATABASES HTTP/1.1\r\nX-Slow: ")
                    slow.append(socket)
                }
                // A loaded machine may still hold some in the accept backlog; a ping admitted
                // before them would find room and evict nothing.
                let deadline = ContinuousClock.now + .seconds(30)
                while server.refused("evicted") < sockets - maximum, ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                var statuses: [String] = []
                for _ in 0..<3 {
                    for socket in slow { try? socket.send("a") }
                    statuses.append(Self.pingStatus(port: server.port))
                }
                return statuses
            }
            #expect(statuses == Array(repeating: "HTTP/1.1 204 No Content", count: 3), "\(statuses)")
            // The slow sockets beyond the maximum were evicted. How many pings evict one too
            // depends on when evicted sockets finish closing (each ping also frees its own
            // slot as it leaves), so the pings are judged by their answers above.
            #expect(server.refused("evicted") >= sockets - maximum)
            #expect(server.refused("max_connections") == 0)
        }
    }

    @Test func whenEveryConnectionIsBusyANewOneGets503() async throws {
        let endpoints = FakeEndpoints()
        try await LimitsServer.with(limits: Self.limits(maxConnections: 5), open: endpoints.opener) { server in
            let (refused, ping, later) = try await offPool {
                let streams = try (0..<5).map { _ in try RawSocket.upgraded(port: server.port) }
                let refused = try RawSocket(port: server.port)
                try refused.send(Self.ping)
                let answer = try refused.readToEnd()
                let ping = Self.pingStatus(port: server.port)
                try streams[0].sendClose()
                _ = try streams[0].readToEnd()
                // The closed stream's slot comes free once the server has seen the close.
                var later = ""
                for _ in 0..<50 {
                    later = Self.pingStatus(port: server.port)
                    if later.hasPrefix("HTTP/1.1 204") { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                for stream in streams.dropFirst() { try? stream.sendClose() }
                return (answer, ping, later)
            }
            #expect(refused.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(refused)")
            #expect(refused.contains("Retry-After: 1\r\n"))
            #expect(refused.contains("too many open connections (limit 5)"))
            #expect(ping == "HTTP/1.1 503 Service Unavailable")
            #expect(later == "HTTP/1.1 204 No Content")
            #expect(server.refused("max_connections") >= 2)
        }
    }

    // MARK: Per token

    @Test func aTokensStreamConnectionsAreLimited() async throws {
        let endpoints = FakeEndpoints()
        var stream = StreamSettings()
        stream.maxConnectionsPerToken = 2
        try await LimitsServer.with(stream: stream, authenticator: Self.tokens, open: endpoints.opener) { server in
            let (third, otherToken, again) = try await offPool {
                let protocols = "strata.v1, bearer.secret-read"
                let first = try RawSocket.upgraded(port: server.port, protocols: protocols)
                let second = try RawSocket.upgraded(port: server.port, protocols: protocols)
                let third = try RawSocket(port: server.port)
                try third.send(upgradeRequest(protocols: protocols))
                let refusal = try third.readToEnd()
                let otherToken = (try? RawSocket.upgraded(port: server.port, protocols: "strata.v1, bearer.secret-other")) != nil
                try first.sendClose()
                _ = try first.readToEnd()
                var again = false
                for _ in 0..<50 where !again {
                    again = (try? RawSocket.upgraded(port: server.port, protocols: protocols)) != nil
                    if !again { Thread.sleep(forTimeInterval: 0.1) }
                }
                try second.sendClose()
                return (refusal, otherToken, again)
            }
            #expect(third.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n"), "\(third)")
            #expect(third.contains("this token already has 2 open stream connections"), "\(third)")
            #expect(otherToken)
            #expect(again)
            #expect(server.refused("token_connections") >= 1)
        }
    }

    @Test func aTokensSubscriptionsAreLimitedOverItsConnections() async throws {
        var live = LiveConfiguration()
        live.maxSubscriptionsPerToken = 3
        try await LimitsServer.with(live: live, authenticator: Self.tokens) { server in
            let replies = try await offPool {
                let protocols = "strata.v1, bearer.secret-read"
                let a = try RawSocket.upgraded(port: server.port, protocols: protocols)
                let b = try RawSocket.upgraded(port: server.port, protocols: protocols)
                var replies: [String] = []
                replies.append(try Self.subscribe(a, "a1"))
                replies.append(try Self.subscribe(a, "a2"))
                replies.append(try Self.subscribe(b, "b1"))
                replies.append(try Self.subscribe(b, "b2"))
                try a.sendText("{\"action\":\"unsubscribe\",\"id\":\"a1\"}")
                replies.append(try Self.reply(a, id: "a1"))
                replies.append(try Self.subscribe(b, "b3"))
                try a.sendClose()
                try b.sendClose()
                return replies
            }
            #expect(replies == ["subscribed", "subscribed", "subscribed",
                                "error: too many subscriptions for this token (limit 3 over all its connections)",
                                "unsubscribed", "subscribed"], "\(replies)")
            #expect(server.refused("token_subscriptions") == 1)
        }
    }

    @Test func anOpenServersConnectionsAreNotCountedPerToken() async throws {
        var live = LiveConfiguration()
        live.maxSubscriptionsPerToken = 1
        var stream = StreamSettings()
        stream.maxConnectionsPerToken = 1
        try await LimitsServer.with(stream: stream, live: live) { server in
            let replies = try await offPool {
                let a = try RawSocket.upgraded(port: server.port)
                let b = try RawSocket.upgraded(port: server.port)
                let replies = [try Self.subscribe(a, "a1"), try Self.subscribe(b, "b1"), try Self.subscribe(b, "b2")]
                try a.sendClose()
                try b.sendClose()
                return replies
            }
            #expect(replies == ["subscribed", "subscribed", "subscribed"])
        }
    }

    // MARK: Helpers

    static func subscribe(_ socket: RawSocket, _ id: String) throws -> String {
        try socket.sendText("{\"action\":\"subscribe\",\"id\":\"\(id)\",\"db\":\"robots\",\"measurement\":\"robot\",\"start\":\"now\"}")
        return try reply(socket, id: id)
    }

    /// The type of the next `subscribed`, `unsubscribed` or `error` message for `id`
    /// (an error with its text); other messages are skipped, at most 20.
    static func reply(_ socket: RawSocket, id: String) throws -> String {
        for _ in 0..<20 {
            guard let frame = try socket.readDataOrClose(), frame.opcode == 0x1 else { return "closed" }
            let message = jsonObject(frame.text)
            guard message["id"] as? String == id, let type = message["type"] as? String else { continue }
            switch type {
            case "error": return "error: \(message["error"] as? String ?? "")"
            case "subscribed", "unsubscribed": return type
            default: continue
            }
        }
        return "no reply"
    }

    /// Raises the soft open-file limit toward `wanted` (within the hard limit); returns it.
    static func raiseFileLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, rlim_t(1 << 20)))
    }
}

/// `StreamTestServer` with the given limits, and the refusal counts of its metrics.
struct LimitsServer: Sendable {
    let port: Int
    let metrics: StrataMetrics

    static func with(
        limits: StrataServerConfiguration.Limits = ConnectionLimitsTests.limits(), stream: StreamSettings = StreamSettings(),
        live: LiveConfiguration = LiveConfiguration(), authenticator: Authenticator = .open,
        open: StreamEndpointOpener? = nil, queries: QueryManager = QueryManager(limits: .unlimited),
        prepare: @Sendable (StorageEngine) async throws -> Void = { _ in },
        _ body: @Sendable (LimitsServer) async throws -> Void
    ) async throws {
        try await StreamTestServer.with(authenticator: authenticator, settings: stream, limits: limits, live: live,
                                        queries: queries, open: open, prepare: prepare) { server in
            try await body(LimitsServer(port: server.port, metrics: server.services.metrics))
        }
    }

    /// `strata_connections_refused_total{reason=...}` as `/metrics` shows it.
    func refused(_ reason: String) -> Int {
        var bytes: [UInt8] = []
        metrics.registry?.emit(into: &bytes)
        let prefix = "strata_connections_refused_total{reason=\"\(reason)\"} "
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(Double(line.dropFirst(prefix.count)) ?? -1)
        }
        return -1
    }
}
