import ArgumentParser
import Foundation
import Logging
import StrataCore
import StrataServer

/// `strata serve`'s MQTT ingest flags (docs/mqtt.md).
struct MQTTFlags: ParsableArguments {
    @Option(name: .customLong("mqtt-broker"),
            help: "Subscribe to this broker and store what the rules match: tcp://HOST:PORT or ssl://HOST:PORT.")
    var broker: String?

    @Option(name: .customLong("mqtt-rules"), help: "The rules file (JSON): which topics go to which database and how (docs/mqtt.md).")
    var rules: String?

    @Option(name: .customLong("mqtt-client-id"),
            help: "The client id of Strata's persistent session; keep it stable across restarts (default strata-HOSTNAME).")
    var clientID: String?

    @Option(name: .customLong("mqtt-username"), help: "User name for the broker.")
    var username: String?

    @Option(name: .customLong("mqtt-password-file"),
            help: "A file holding the broker password (its first line); STRATA_MQTT_PASSWORD also works. Not a flag: flags show in ps.")
    var passwordFile: String?

    @Option(name: .customLong("mqtt-ca"), help: "PEM file of the CA that signed the broker's certificate (default: the system's CAs).")
    var caFile: String?

    @Option(name: .customLong("mqtt-cert"), help: "PEM client certificate (AWS IoT Core: the thing's certificate).")
    var certFile: String?

    @Option(name: .customLong("mqtt-key"), help: "PEM private key of --mqtt-cert.")
    var keyFile: String?

    @Option(name: .customLong("mqtt-keepalive"), help: "MQTT keep-alive in seconds (default 60).")
    var keepAlive: Int?

    @Option(name: .customLong("mqtt-max-message-bytes"),
            help: "Largest message read, with an optional K or M suffix; larger ones are acknowledged and counted, not stored (default 1M).")
    var maxMessageBytes: String?

    /// Nil without --mqtt-broker; every mistake (flags, rules file, TLS files) is an error here.
    func configuration() throws -> MQTTConfiguration? {
        guard let brokerText = broker else {
            let stray = [rules, clientID, username, passwordFile, caFile, certFile, keyFile, maxMessageBytes]
            guard stray.allSatisfy({ $0 == nil }), keepAlive == nil else {
                throw ValidationError("the --mqtt-* flags need --mqtt-broker")
            }
            return nil
        }
        guard let url = MQTTBrokerURL(brokerText) else {
            throw ValidationError("--mqtt-broker must be tcp://HOST:PORT or ssl://HOST:PORT, got \"\(brokerText)\"")
        }
        guard let rulesPath = rules else { throw ValidationError("--mqtt-broker needs --mqtt-rules FILE") }
        let rulesText: String
        do {
            rulesText = try String(contentsOfFile: rulesPath, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the rules file \(rulesPath): \(error.localizedDescription)")
        }
        var maxBytes = 1 << 20
        if let text = maxMessageBytes {
            guard let bytes = RetentionFlags.bytes(text), bytes >= 1024, bytes <= 256 << 20 else {
                throw ValidationError("--mqtt-max-message-bytes must be a size from 1K to 256M such as 128K or 1M, got \"\(text)\"")
            }
            maxBytes = bytes
        }
        do {
            return try MQTTConfiguration(
                broker: url, rulesJSON: rulesText, clientID: clientID ?? Self.defaultClientID(), username: username,
                password: try password(), caFile: caFile, certificateFile: certFile, keyFile: keyFile,
                keepAliveSeconds: keepAlive ?? 60, maxMessageBytes: maxBytes)
        } catch let error as MQTTConfigurationError {
            throw ValidationError(error.description.replacingOccurrences(of: "rules file:", with: "--mqtt-rules \(rulesPath):"))
        }
    }

    private func password() throws -> String? {
        if let path = passwordFile {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } catch {
                throw ValidationError("cannot read --mqtt-password-file \(path): \(error.localizedDescription)")
            }
        }
        return Environment.value("STRATA_MQTT_PASSWORD")
    }

    /// `strata-` and the host name: stable across restarts of the same machine, apart
    /// between machines sharing a broker.
    static func defaultClientID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "strata-\(host)"
    }
}
