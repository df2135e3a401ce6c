import ServiceLifecycle

/// The hub's fan-out, its revocation sweeps, the stream watchdog and the memory trimmer as one service of the application, so they
/// start with the server and stop on SIGTERM (after the server: services stop in reverse
/// order, and the watchdog must keep dropping stalled sockets while connections drain).
struct LiveStreamService: Service {
    let hub: LiveHub
    let watchdog: StreamWatchdog
    let authenticator: Authenticator
    /// Returns memory to the system after a burst of closed connections.
    var trimmer: MemoryTrimmer? = nil

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await hub.run() }
                group.addTask { await watchdog.run() }
                if let trimmer { group.addTask { await trimmer.run() } }
                group.addTask { await hub.runRevocationSweeps(authenticator: authenticator) }
                try await group.waitForAll()
            }
        }
    }
}
