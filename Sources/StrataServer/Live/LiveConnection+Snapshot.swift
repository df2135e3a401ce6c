extension LiveConnection {
    func snapshot() -> ConnectionSnapshot {
        state.withLock { s in
            ConnectionSnapshot(
                id: id, remoteAddress: info.remoteAddress, userAgent: info.userAgent, tokenID: principal.tokenID,
                connectedAt: RFC3339.format(connectedAt), lastActive: RFC3339.format(s.lastActive),
                subscriptions: s.order.compactMap { s.subscriptions[$0].map(Self.snapshot) },
                queuedMessages: s.queue.count, queuedBytes: s.queue.bytes, pointsSent: s.pointsSent,
                conflated: s.conflated, dropped: s.dropped)
        }
    }

    private static func snapshot(_ sub: SubscriptionState) -> SubscriptionSnapshot {
        let request = sub.request
        var filter = "{"
        for (i, tag) in sub.shape.filterTags.enumerated() {
            if i > 0 { filter += "," }
            var quoted: [UInt8] = []
            JSONBytes.appendString(tag.0, to: &quoted)
            filter += String(decoding: quoted, as: UTF8.self) + ":" + tag.1.json
        }
        filter += "}"
        return SubscriptionSnapshot(
            id: request.id, db: request.database, measurement: request.measurement, filter: filter,
            fields: request.fields, start: request.start.description, policy: request.policy.rawValue,
            every: sub.shape.window.map { LiveDuration.format($0.every) },
            aggregates: sub.shape.window.map { $0.aggregates.map(\.rawValue) },
            phase: sub.phase.rawValue, position: sub.position, pointsSent: sub.pointsSent, conflated: sub.conflated)
    }
}
