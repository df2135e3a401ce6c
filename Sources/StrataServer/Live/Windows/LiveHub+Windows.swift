import StrataQuery

extension LiveHub {
    /// The longest the window loop sleeps with nothing due: a safety net only, since new
    /// subscriptions and late points ring its bell. 1 s: the shortest sensible `every`.
    static let windowIdle: Int64 = 1_000_000_000

    /// Pushes each `every` subscription's windows as they close on the clock (end + grace),
    /// and the corrections late points asked for; sleeps until the next close or a ring.
    func runWindows() async {
        let clock = configuration.clock
        while !Task.isCancelled {
            let now = clock.now()
            let connections = windowedConnections()
            for connection in connections {
                for work in connection.takeWindowWork(now: now) {
                    await connection.push(work, now: now)
                }
            }
            let deadline = connections.compactMap { $0.nextWindowDeadline() }.min() ?? now + Self.windowIdle
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await clock.sleep(until: min(deadline, now + Self.windowIdle)) }
                group.addTask { await self.windowBell.wait() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Connections with at least one live `every` subscription.
    private func windowedConnections() -> [LiveConnection] {
        state.withLock { s in
            var seen: Set<ObjectIdentifier> = []
            var out: [LiveConnection] = []
            for entry in s.shapes.values where entry.shape.window != nil {
                for subscription in entry.subscriptions where seen.insert(ObjectIdentifier(subscription.connection)).inserted {
                    out.append(subscription.connection)
                }
            }
            return out
        }
    }
}
