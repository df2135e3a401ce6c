import StrataCore

extension SubscribeRequest {
    /// Reads a `subscribe` object; unknown keys are refused so that a typo ("feilds") does
    /// not silently widen a subscription.
    init(_ object: [String: LiveJSON], id: String) throws(LiveProtocolError) {
        let known: Set<String> = ["action", "id", "db", "measurement", "where", "fields", "start", "every",
                                  "aggregates", "grace", "policy", "time_format"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw LiveProtocolError("unknown key \"\(unknown)\"")
        }
        self.id = id
        database = try Self.requiredString(object, "db")
        measurement = try Self.requiredString(object, "measurement")
        if let value = object["where"] { filter = try Self.parseFilter(value) }
        if let value = object["fields"] { fields = try Self.parseNames(value, key: "fields") }
        if let value = object["start"] { start = try Self.parseStart(value) }
        if let value = object["every"] { every = try Self.parseDuration(value, key: "every") }
        if let value = object["aggregates"] {
            aggregates = try Self.parseNames(value, key: "aggregates").map { name throws(LiveProtocolError) in
                guard let aggregate = LiveAggregate(rawValue: name) else {
                    let names = LiveAggregate.allCases.map(\.rawValue).joined(separator: ", ")
                    throw LiveProtocolError("\"aggregates\": unknown function \"\(name)\": expected one of \(names)")
                }
                return aggregate
            }
        }
        if let value = object["grace"] { grace = try Self.parseDuration(value, key: "grace") }
        if let value = object["policy"] {
            guard case .string(let text) = value, let policy = SlowConsumerPolicy(rawValue: text) else {
                throw LiveProtocolError("\"policy\": expected \"conflate\" or \"disconnect\"")
            }
            self.policy = policy
        }
        if let value = object["time_format"] {
            guard case .string(let text) = value, let format = TimeFormat(rawValue: text) else {
                throw LiveProtocolError("\"time_format\": expected \"ns\" or \"rfc3339\"")
            }
            timeFormat = format
        }
        try checkCombinations()
    }

    private func checkCombinations() throws(LiveProtocolError) {
        if every != nil && aggregates.isEmpty {
            throw LiveProtocolError("\"every\" needs \"aggregates\" (e.g. [\"mean\"])")
        }
        if every == nil && !aggregates.isEmpty {
            throw LiveProtocolError("\"aggregates\" needs \"every\" (e.g. \"1s\")")
        }
        if every == nil && grace != nil { throw LiveProtocolError("\"grace\" applies only with \"every\"") }
        if every != nil {
            switch start {
            case .sequence:
                throw LiveProtocolError("\"start\": an \"every\" subscription resumes by time: use {\"time\":…}, not {\"seq\":…}")
            case .last:
                throw LiveProtocolError("\"start\": an \"every\" subscription starts at \"now\" or {\"time\":…}, not {\"last\":…}")
            case .now, .time:
                break
            }
        }
    }

    private static func requiredString(_ object: [String: LiveJSON], _ key: String) throws(LiveProtocolError) -> String {
        guard let value = object[key] else { throw LiveProtocolError("missing \"\(key)\"") }
        guard case .string(let text) = value, !text.isEmpty else {
            throw LiveProtocolError("\"\(key)\": expected a non-empty string, got \(value.kind)")
        }
        return text
    }

    private static func parseNames(_ value: LiveJSON, key: String) throws(LiveProtocolError) -> [String] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw LiveProtocolError("\"\(key)\": expected a non-empty array of strings")
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.isEmpty else {
                throw LiveProtocolError("\"\(key)\": expected a non-empty array of strings, found \(item.kind)")
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func parseFilter(_ value: LiveJSON) throws(LiveProtocolError) -> [String: TagCondition] {
        guard case .object(let tags) = value else {
            throw LiveProtocolError("\"where\": expected an object of tag conditions, got \(value.kind)")
        }
        var filter: [String: TagCondition] = [:]
        for (tag, condition) in tags {
            filter[tag] = try parseCondition(condition, tag: tag)
        }
        return filter
    }

    private static func parseCondition(_ value: LiveJSON, tag: String) throws(LiveProtocolError) -> TagCondition {
        let expected = "\"where\": tag \(tag): expected a string, an array of strings, or {\"=~\": regex}, {\"!~\": regex}, {\"!=\": value}"
        switch value {
        case .string(let s):
            return .anyOf([s])
        case .array(let items):
            var values: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw LiveProtocolError(expected) }
                if !values.contains(s) { values.append(s) }
            }
            guard !values.isEmpty else { throw LiveProtocolError("\"where\": tag \(tag): empty array matches nothing") }
            return .anyOf(values)
        case .object(let op) where op.count == 1:
            guard let (name, operand) = op.first, case .string(let text) = operand else { throw LiveProtocolError(expected) }
            switch name {
            case "=~": return .matches(text)
            case "!~": return .notMatches(text)
            case "!=": return .notEquals(text)
            default: throw LiveProtocolError(expected)
            }
        default:
            throw LiveProtocolError(expected)
        }
    }

    private static func parseStart(_ value: LiveJSON) throws(LiveProtocolError) -> StartPosition {
        let expected = "\"start\": expected \"now\", {\"time\":…}, {\"seq\":…} or {\"last\":…}"
        switch value {
        case .string("now"):
            return .now
        case .object(let o):
            switch (o["time"], o["seq"], o["last"]) {
            case (let time?, nil, nil) where o.count == 1:
                return .time(try nanoseconds(time))
            case (let time, let seq?, nil) where o.count == (time == nil ? 1 : 2):
                guard case .integer(let n) = seq, n >= 0 else {
                    throw LiveProtocolError("\"start\": \"seq\" must be a non-negative integer")
                }
                return .sequence(UInt64(n), fallbackTime: try time.map { v throws(LiveProtocolError) in try nanoseconds(v) })
            case (nil, nil, let last?) where o.count == 1:
                guard case .integer(let n) = last, n > 0, n <= LiveLimits.maxLast else {
                    throw LiveProtocolError("\"start\": \"last\" must be an integer from 1 to \(LiveLimits.maxLast)")
                }
                return .last(Int(n))
            default:
                throw LiveProtocolError(expected)
            }
        default:
            throw LiveProtocolError(expected)
        }
    }

    /// A time is integer nanoseconds or an RFC 3339 string.
    private static func nanoseconds(_ value: LiveJSON) throws(LiveProtocolError) -> Int64 {
        switch value {
        case .integer(let t): return t
        case .string(let text):
            if let t = RFC3339.parse(text) { return t }
        default: break
        }
        throw LiveProtocolError("\"start\": \"time\" must be integer nanoseconds since the epoch or an RFC 3339 string")
    }

    private static func parseDuration(_ value: LiveJSON, key: String) throws(LiveProtocolError) -> Int64 {
        guard case .string(let text) = value, case .success(let ns) = DurationText.parse(text, .message), ns > 0 else {
            throw LiveProtocolError("\"\(key)\": expected a positive duration such as \"1s\", \"200ms\" or \"5m\"")
        }
        return ns
    }
}
