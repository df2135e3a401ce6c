import Foundation
import Testing

/// What the MQTT ingest tests need of a broker process.
protocol MQTTBrokerProcess: Sendable {
    /// Plain MQTT on 127.0.0.1.
    var port: Int { get }
    func stop()
}

extension MosquittoBroker: MQTTBrokerProcess {}

/// The brokers the ingest is tested against, by name (a test argument).
enum BrokerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case mosquitto
    /// NATS's MQTT listener, whose sessions live in JetStream.
    case nats

    var testDescription: String { rawValue }

    func start() async throws -> any MQTTBrokerProcess {
        switch self {
        case .mosquitto: try await MosquittoBroker.start()
        case .nats: try await NATSBroker.start()
        }
    }
}

/// A `nats-server` child process with JetStream and its MQTT listener on free loopback ports.
final class NATSBroker: MQTTBrokerProcess {
    let child: BrokerProcess
    let port: Int

    private init(child: BrokerProcess, port: Int) {
        self.child = child
        self.port = port
    }

    static func start() async throws -> NATSBroker {
        let port = try FreePort.pick()
        let clientPort = try FreePort.pick()
        // MQTT needs a server name and JetStream (its sessions and QoS 1 messages live there).
        // A QoS 1 message sent to a session that vanished unacknowledged goes again after
        // `ack_wait`: 30 s by default, 2 s here so the test does not sit out the default.
        let child = try await BrokerProcess.launch("nats-server", config: { directory in
            """
            listen: 127.0.0.1:\(clientPort)
            server_name: strata-test
            jetstream { store_dir: "\(directory)/jetstream" }
            mqtt { listen: 127.0.0.1:\(port), ack_wait: "2s" }

            """
        }, ports: [port])
        return NATSBroker(child: child, port: port)
    }

    func stop() { child.stop() }
}
