import Logging

/// The server under test and the helpers every scenario needs to talk to it.
struct Target: Sendable {
    let host: String
    let port: Int
    let database: String
    let logger: Logger

    var http: HTTPConnection { HTTPConnection(host: host, port: port) }
    var streamURL: String { "ws://\(host):\(port)/v1/stream" }

    /// Creates the database (subscriptions to an unknown database are refused).
    func prepare() async throws {
        try await http.withExchange { exchange in
            let response = try await exchange.post("/query?q=CREATE+DATABASE+\(database)", body: "")
            guard response.status == 200 else { throw LoadError("CREATE DATABASE answered \(response.status) \(response.body)") }
        }
    }

    func subscribeMessage(device: String) -> String {
        #"{"action":"subscribe","id":"s1","db":"\#(database)","measurement":"robot","where":{"device_id":"\#(device)"},"start":"now"}"#
    }

    /// Starts `count` subscribers inside `group`, at most `concurrency` handshakes in flight,
    /// and waits (bounded by `timeout`) until each has its `subscribed` reply.
    func openSubscribers(
        _ count: Int, concurrency: Int, timeout: Duration, subscribed: Counter,
        group: inout TaskGroup<Subscriber.Log>, make: (Int) -> Subscriber
    ) async throws {
        let baseline = subscribed.current
        let deadline = ContinuousClock.now + timeout
        func done() -> Int { subscribed.current - baseline }
        for index in 0..<count {
            while index - done() >= concurrency {
                guard ContinuousClock.now < deadline else { throw LoadError("only \(done()) of \(count) subscribed in \(timeout)") }
                try await Task.sleep(for: .milliseconds(5))
            }
            let subscriber = make(index)
            group.addTask { await subscriber.run() }
        }
        while done() < count {
            guard ContinuousClock.now < deadline else { throw LoadError("only \(done()) of \(count) subscribed in \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
