import ServiceLifecycle

/// The hub's fan-out, its revocation sweeps and the stream watchdog as one service of the application, so they
/// start with the server and stop on SIGTERM (after the server: services stop in reverse
/// order, and the watchdog must keep dropping stalled sockets while connections drain).
struct LiveStreamService: Service {
    let hub: LiveHub
    let watchdog: StreamWatchdog
    let authenticator: Authenticator

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await hub.run() }
                group.addTask { await watchdog.run() }
                group.addTask { await hub.runRevocationSweeps(authenticator: authenticator) }
                try await group.waitForAll()
            }
        }
    }
}
