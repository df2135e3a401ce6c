import Logging
import NIOCore
import Prometheus
import StrataCore
import Testing
@testable import StrataServer

/// What the committer writes and which messages it lets the session acknowledge: every one
/// it decided about, in arrival order; none when the write itself failed.
struct MQTTCommitterTests {
    static let rules = """
        [{"topic": "robots/+/telemetry", "db": "robots", "measurement": "robot",
          "tags": {"device_id": "{topic.1}"}, "time": {"field": "t", "unit": "ms"}},
         {"topic": "robots/+/gone", "db": "nowhere", "measurement": "m"}]
        """

    static func message(_ topic: String, id: UInt16?, _ payload: String, rules: MQTTRules) -> MQTTMessage {
        let mapped = MQTTMessageMapper(rules: rules).map(topic: topic, payload: ByteBuffer(string: payload), arrival: 1)
        return MQTTMessage(topic: topic, packetID: id, payloadBytes: payload.utf8.count, mapped: mapped)
    }

    @Test func acknowledgesEveryDecidedMessageInOrderAndCountsEachOutcome() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        let rules = try MQTTRules(parsing: Self.rules)
        let metrics = StrataMetrics.prometheus()
        let committer = MQTTCommitter(engine: engine, rules: rules, metrics: MQTTMetrics(factory: metrics.factory),
                                      log: MQTTIngestLog(logger: Logger(label: "test")))
        let batch = [
            Self.message("robots/a/telemetry", id: 5, #"{"t": 1000, "v": 1.5}"#, rules: rules),
            Self.message("robots/a/telemetry", id: nil, #"{"t": 2000, "v": 2.5}"#, rules: rules),  // QoS 0
            Self.message("robots/a/telemetry", id: 3, "garbage", rules: rules),
            // v was a float: the engine refuses a string for it.
            Self.message("robots/a/telemetry", id: 9, #"{"t": 3000, "v": "high"}"#, rules: rules),
            Self.message("robots/a/gone", id: 1, #"{"v": 1}"#, rules: rules),  // its database does not exist
            Self.message("old/subscription", id: 2, #"{"v": 1}"#, rules: rules),
            MQTTMessage(topic: "robots/a/telemetry", packetID: 4, payloadBytes: 9_999_999, mapped: .init(), tooLarge: true),
        ]
        let acks = try await committer.commit(batch)
        #expect(acks == [5, 3, 9, 1, 2, 4])
        let rows = try await engine.scan(database: "robots", measurement: "robot").flatMap(\.timestamps)
        #expect(rows == [1_000_000_000, 2_000_000_000])
        var text = [UInt8]()
        metrics.registry?.emit(into: &text)
        let scrape = String(decoding: text, as: UTF8.self)
        for (outcome, n) in [("stored", 2), ("invalid", 1), ("refused", 2), ("unmatched", 1), ("too_large", 1)] {
            #expect(scrape.contains("strata_mqtt_messages_total{outcome=\"\(outcome)\"} \(n)\n"), "\(outcome) in \(scrape)")
        }
        #expect(scrape.contains("strata_mqtt_values_written_total 2\n"))
        try await engine.close()
    }

    @Test func aBatchThatCannotBeWrittenIsNotAcknowledged() async throws {
        let engine = try await StorageEngine.open(directory: "/data", fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("robots")
        let rules = try MQTTRules(parsing: Self.rules)
        let committer = MQTTCommitter(engine: engine, rules: rules, metrics: MQTTMetrics(factory: StrataMetrics().factory),
                                      log: MQTTIngestLog(logger: Logger(label: "test")))
        try await engine.close()
        await #expect(throws: (any Error).self) {
            _ = try await committer.commit([Self.message("robots/a/telemetry", id: 5, #"{"t": 1000, "v": 1.5}"#, rules: rules)])
        }
    }
}
