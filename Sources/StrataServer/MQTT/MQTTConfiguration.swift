/// How `strata serve` reaches its MQTT broker and what it does with messages (docs/mqtt.md).
public struct MQTTConfiguration: Sendable {
    public var broker: MQTTBrokerURL
    /// Stable across restarts: the broker keeps the session (its subscriptions and unacknowledged
    /// QoS 1 messages) under this id while Strata is down.
    public var clientID: String
    public var username: String?
    public var password: String?
    /// PEM files: the CA that signed the broker's certificate (default: the system's roots),
    /// and a client certificate and key (AWS IoT Core authenticates devices with these).
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    /// 60 s: mosquitto_sub's default; AWS IoT Core accepts 30 to 1,200.
    public var keepAliveSeconds: Int
    /// A larger PUBLISH is acknowledged, counted and logged, never read into memory. 1 MiB:
    /// eight times AWS IoT Core's 128 KiB message limit; mosquitto sets none by default.
    public var maxMessageBytes: Int
    let rules: MQTTRules

    /// `rulesJSON`: the text of the rules file; an error names the rule and the key.
    public init(broker: MQTTBrokerURL, rulesJSON: String, clientID: String, username: String? = nil,
                password: String? = nil, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                keepAliveSeconds: Int = 60, maxMessageBytes: Int = 1 << 20) throws {
        do {
            rules = try MQTTRules(parsing: rulesJSON)
        } catch {
            throw MQTTConfigurationError(description: "rules file: \(error.description)")
        }
        guard (1...65_535).contains(keepAliveSeconds) else {
            throw MQTTConfigurationError(description: "the keep-alive must be 1 to 65535 seconds, got \(keepAliveSeconds)")
        }
        guard !clientID.isEmpty, clientID.utf8.count <= 65_535 else {
            throw MQTTConfigurationError(description: "the client id must be 1 to 65535 bytes")
        }
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw MQTTConfigurationError(description: "a client certificate needs its key, and a key its certificate")
        }
        if !broker.usesTLS, caFile != nil || certificateFile != nil {
            throw MQTTConfigurationError(description: "CA and client certificate files need an ssl:// broker, got \(broker)")
        }
        self.broker = broker
        self.clientID = clientID
        self.username = username
        self.password = password
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.keepAliveSeconds = keepAliveSeconds
        self.maxMessageBytes = maxMessageBytes
    }

    /// The databases (with policies) the rules write to, each once.
    public var destinations: [(database: String, policy: String?)] {
        var seen = Set<String>()
        return rules.rules.compactMap { rule in
            seen.insert("\(rule.database)\u{0}\(rule.policy ?? "")").inserted ? (rule.database, rule.policy) : nil
        }
    }
}

public struct MQTTConfigurationError: Error, CustomStringConvertible {
    public var description: String
}

/// `tcp://HOST:PORT` or `ssl://HOST:PORT` (Paho's spelling; `mqtt://` and `mqtts://` too).
/// The port defaults to 1883, or 8883 with TLS.
public struct MQTTBrokerURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var usesTLS: Bool

    public init?(_ text: String) {
        let schemes: [(String, Bool)] = [("tcp://", false), ("mqtt://", false), ("ssl://", true), ("mqtts://", true)]
        guard let (scheme, tls) = schemes.first(where: { text.lowercased().hasPrefix($0.0) }) else { return nil }
        var rest = Substring(text.dropFirst(scheme.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var port = tls ? 8883 : 1883
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(p) else { return nil }
            port = p
            rest = rest[..<colon]
        }
        if rest.hasPrefix("["), rest.hasSuffix("]") { rest = rest.dropFirst().dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { return nil }
        host = String(rest)
        self.port = port
        usesTLS = tls
    }

    public var description: String {
        "\(usesTLS ? "ssl" : "tcp")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
