import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StrataCore
import StrataQuery
@testable import StrataServer
import StrataTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif


/// A `makeApplication` server on 127.0.0.1, port 0, over an in-memory engine, run in a
/// service group the test can shut down gracefully. Every wait is bounded.
struct StreamTestServer: Sendable {
    let port: Int
    let engine: StorageEngine
    let services: ServerServices
    let group: ServiceGroup

    /// `open` nil: the real hub. `prepare` runs on the engine (with its database `robots`)
    /// before the server starts.
    static func with(
        authenticator: Authenticator = .open, settings: StreamSettings = StreamSettings(),
        limits: StrataServerConfiguration.Limits = StrataServerConfiguration.Limits(),
        live: LiveConfiguration = LiveConfiguration(), queries: QueryManager = QueryManager(limits: .unlimited),
        open: StreamEndpointOpener? = nil, prepare: @Sendable (StorageEngine) async throws -> Void = { _ in },
        _ body: @Sendable (StreamTestServer) async throws -> Void
    ) async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        try await prepare(engine)
        let logger = Logger(label: "strata.test.stream")
        let metrics = StrataMetrics.prometheus()
        let hub = LiveHub(engine: engine, configuration: live, metrics: metrics, logger: logger)
        var services = ServerServices(authenticator: authenticator, hub: hub, metrics: metrics)
        services.queries = queries
        let bound = Mutex<Int?>(nil)
        let configuration = StrataServerConfiguration(host: "127.0.0.1", port: 0, limits: limits, stream: settings)
        let app = StrataServer.makeApplication(
            engine: engine, configuration: configuration,
            services: services, logger: logger, onListening: { _, port in bound.withLock { $0 = port } },
            open: open ?? { hub.open($0, principal: $1) })
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            // 60 s: alone it binds in milliseconds, but a 2-core machine that also builds
            // (a CI run beside a release build took over 20 s once) can hold it back.
            let deadline = ContinuousClock.now + .seconds(60)
            var port: Int?
            while port == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
                port = bound.withLock { $0 }
            }
            guard let port else { throw TestError("server did not start within 60 s") }
            try await body(StreamTestServer(port: port, engine: engine, services: services, group: group))
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        try await engine.close()
    }
}


/// A stand-in for the hub's side of a connection: replies come from `respond`, and the
/// test sees what arrived and whether the transport reported the socket closed.
final class FakeEndpoint: StreamEndpoint, Sendable {
    private struct Outbound {
        var queue: [LiveOutbound] = []
        var sink: (any OutboundSink)?
        var drainScheduled = false
    }

    let id: String
    private let outbound = Mutex(Outbound())
    private let respond: @Sendable (String, FakeEndpoint) -> Void
    let received = Mutex<[String]>([])
    let closed = Atomic<Bool>(false)

    init(id: String, respond: @escaping @Sendable (String, FakeEndpoint) -> Void) {
        self.id = id
        self.respond = respond
    }

    func attach(_ sink: any OutboundSink) {
        outbound.withLock { $0.sink = sink }
        wakeIfNeeded()
    }

    func receive(_ text: String) {
        received.withLock { $0.append(text) }
        respond(text, self)
    }

    func popOutbound() -> LiveOutbound? {
        outbound.withLock { o in
            guard !o.queue.isEmpty else {
                o.drainScheduled = false
                return nil
            }
            return o.queue.removeFirst()
        }
    }

    func transportClosed() {
        closed.store(true, ordering: .relaxed)
    }

    func send(_ text: String) { queue(.text(ByteBuffer(string: text))) }

    func queue(_ item: LiveOutbound) {
        outbound.withLock { $0.queue.append(item) }
        wakeIfNeeded()
    }

    private func wakeIfNeeded() {
        let sink = outbound.withLock { o -> (any OutboundSink)? in
            guard let sink = o.sink, !o.drainScheduled, !o.queue.isEmpty else { return nil }
            o.drainScheduled = true
            return sink
        }
        sink?.outboundReady()
    }
}

/// Opens fake endpoints and keeps them for the test to inspect.
final class FakeEndpoints: Sendable {
    let all = Mutex<[FakeEndpoint]>([])
    let respond: @Sendable (String, FakeEndpoint) -> Void

    /// By default each message is echoed back.
    init(respond: @escaping @Sendable (String, FakeEndpoint) -> Void = { text, endpoint in endpoint.send(text) }) {
        self.respond = respond
    }

    var opener: StreamEndpointOpener {
        { _, _ in
            let endpoint = FakeEndpoint(id: "f\(self.all.withLock { $0.count + 1 })", respond: self.respond)
            self.all.withLock { $0.append(endpoint) }
            return endpoint
        }
    }

    var first: FakeEndpoint? { all.withLock { $0.first } }
}

/// The JSON object of a text message.
func jsonObject(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

/// Rows in a data message (every series' values).
func rowCount(_ message: [String: Any]) -> Int {
    (message["series"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["values"] as? [Any])?.count ?? 0) }
}
