import StrataCore

extension SubscriptionShape {
    /// The shape of `request` for `principal`: its filter ANDed with the token's device
    /// allowlist. A filter naming a device outside the allowlist is refused, naming it,
    /// rather than silently matching less.
    init(_ request: SubscribeRequest, principal: Principal, defaultGrace: Int64) throws(LiveProtocolError) {
        let deviceTag = principal.deviceTag
        if let allowed = principal.devices, let named = request.filter[deviceTag]?.pinnedValues,
           let refused = named.sorted().first(where: { !allowed.contains($0) }) {
            throw LiveProtocolError("device \(refused) is not allowed for this token", id: request.id)
        }
        var conditions = request.filter.keys.sorted().map { ($0, request.filter[$0]!) }
        // A filter that does not pin the device (absent, regex, !=) is narrowed by the
        // allowlist, as a conjunct of its own so that a regex on the device tag still applies.
        if let allowed = principal.devices, request.filter[deviceTag]?.pinnedValues == nil {
            conditions.append((deviceTag, .anyOf(allowed.sorted())))
        }
        var parts: [TagPredicate] = []
        for (tag, condition) in conditions { parts.append(try condition.predicate(tag: tag)) }
        database = request.database
        store = request.database
        measurement = request.measurement
        predicate = parts.isEmpty ? .all : parts.count == 1 ? parts[0] : .and(parts)
        var formatter = SeriesFormatter(fields: request.fields, timeFormat: request.timeFormat)
        switch request.start {
        case .time(let t): formatter.minTime = t
        case .sequence(_, let t?): formatter.minTime = t
        default: break
        }
        self.formatter = formatter
        filterTags = conditions.sorted { $0.0 < $1.0 }
        queryCondition = WindowQuery.condition(conditions.map { (tag: $0.0, condition: $0.1) })
        pin = Self.choosePin(conditions)
        if let every = request.every {
            window = WindowSpec(every: every, aggregates: request.aggregates, grace: request.grace ?? defaultGrace)
        }
        key = ([request.database, request.measurement] + conditions.map { $0.0 + "\u{2}" + $0.1.canonical } + [
            request.fields?.joined(separator: "\u{1}") ?? "*",
            String(formatter.minTime),
            request.timeFormat.rawValue,
            window.map { "\($0.every)/\($0.grace)/" + $0.aggregates.map(\.rawValue).joined(separator: ",") } ?? "raw",
        ]).joined(separator: "\u{0}")
    }

    /// The pinned tag with the fewest values (the device tag of a chart of a few robots,
    /// typically): the fan-out index looks series up by its value.
    private static func choosePin(_ conditions: [(String, TagCondition)]) -> (tag: String, values: Set<String>)? {
        let pinned = conditions.compactMap { name, condition in condition.pinnedValues.map { (name, $0) } }
        return pinned.min { ($0.1.count, $0.0) < ($1.1.count, $1.0) }
    }
}
