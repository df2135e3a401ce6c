import StrataCore

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
        let filter = filterJSON(sub.shape.filterTags)
        return SubscriptionSnapshot(
            id: request.id, db: request.database, measurement: request.measurement, filter: filter,
            fields: request.fields, start: request.start.description, policy: request.policy.rawValue,
            every: sub.shape.window.map { DurationText.format($0.every, .message) },
            aggregates: sub.shape.window.map { $0.aggregates.map(\.rawValue) },
            phase: sub.phase.rawValue, position: sub.position, pointsSent: sub.pointsSent, conflated: sub.conflated)
    }

    /// The filter as JSON text. A tag with two conditions (a regex ANDed with the token's
    /// allowlist) is one object holding both, the allowlist as `"in"`, so keys stay unique.
    private static func filterJSON(_ conditions: [(String, TagCondition)]) -> String {
        var tags: [String] = []
        var byTag: [String: [TagCondition]] = [:]
        for (tag, condition) in conditions {
            if byTag[tag] == nil { tags.append(tag) }
            byTag[tag, default: []].append(condition)
        }
        let members = tags.map { tag -> String in
            let conditions = byTag[tag]!
            let value = conditions.count == 1 ? conditions[0].json
                : "{" + conditions.map(\.jsonMember).joined(separator: ",") + "}"
            return quote(tag) + ":" + value
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    private static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        JSONBytes.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
