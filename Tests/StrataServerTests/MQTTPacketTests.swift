import NIOCore
import Testing
@testable import StrataServer

/// The MQTT 3.1.1 framing: what the client sends, and what it makes of a broker's bytes
/// however they are split.
struct MQTTPacketTests {
    static func publish(_ topic: String, qos: UInt8, id: UInt16?, payload: String) -> ByteBuffer {
        var out = ByteBuffer()
        MQTTEncoder.publish(MQTTPublish(topic: topic, qos: qos, packetID: id, duplicate: false,
                                        payload: ByteBuffer(string: payload)), into: &out)
        return out
    }

    /// Every packet the decoder gives for `bytes` fed `chunk` bytes at a time.
    static func decode(_ bytes: ByteBuffer, chunk: Int, max: Int = 1 << 20) throws -> [MQTTPacket] {
        var decoder = MQTTPacketDecoder(maxMessageBytes: max)
        var pending = ByteBuffer()
        var all = bytes
        var packets: [MQTTPacket] = []
        while all.readableBytes > 0 {
            var slice = all.readSlice(length: min(chunk, all.readableBytes))!
            pending.writeBuffer(&slice)
            while pending.readableBytes > 0 {
                let before = pending.readableBytes
                if let packet = try decoder.next(&pending) { packets.append(packet) }
                if pending.readableBytes == before { break }
            }
        }
        return packets
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func publishesSurviveAnySplit(chunk: Int) throws {
        var bytes = Self.publish("robots/r1/telemetry", qos: 1, id: 7, payload: #"{"battery":1}"#)
        var second = Self.publish("a", qos: 0, id: nil, payload: String(repeating: "x", count: 300))
        bytes.writeBuffer(&second)
        let packets = try Self.decode(bytes, chunk: chunk)
        #expect(packets.count == 2)
        guard case .publish(let p)? = packets.first, case .publish(let q)? = packets.last else {
            Issue.record("not two publishes: \(packets)")
            return
        }
        #expect(p.topic == "robots/r1/telemetry" && p.qos == 1 && p.packetID == 7)
        #expect(String(buffer: p.payload) == #"{"battery":1}"#)
        #expect(q.topic == "a" && q.qos == 0 && q.packetID == nil && q.payload.readableBytes == 300)
    }

    /// A message over the limit is reported by topic and id, its bytes skipped, and the next
    /// packet still read: it costs no memory and the connection goes on.
    @Test(arguments: [1, 5, 64, 100_000])
    func anOversizedPublishIsSkippedNotBuffered(chunk: Int) throws {
        var bytes = Self.publish("big/one", qos: 1, id: 9, payload: String(repeating: "y", count: 5_000))
        var next = Self.publish("small", qos: 1, id: 10, payload: "{}")
        bytes.writeBuffer(&next)
        let packets = try Self.decode(bytes, chunk: chunk, max: 1_024)
        #expect(packets.count == 2)
        guard case .publishTooLarge(let topic, let id, let size)? = packets.first else {
            Issue.record("\(packets)")
            return
        }
        #expect(topic == "big/one" && id == 9 && size > 5_000)
        guard case .publish(let p)? = packets.last else { Issue.record("\(packets)"); return }
        #expect(p.topic == "small" && p.packetID == 10)
    }

    @Test func controlPackets() throws {
        let bytes = ByteBuffer(bytes: [0x20, 0x02, 0x01, 0x00,  // CONNACK, session present, accepted
                                       0x90, 0x04, 0x00, 0x01, 0x01, 0x80,  // SUBACK id 1: QoS 1, failure
                                       0xD0, 0x00,  // PINGRESP
                                       0x62, 0x02, 0x00, 0x05])  // PUBREL: ignored
        let packets = try Self.decode(bytes, chunk: 3)
        #expect(packets == [.connack(sessionPresent: true, returnCode: 0), .suback(packetID: 1, returnCodes: [1, 0x80]),
                            .pingresp, .other(type: 6)])
    }

    @Test(arguments: [
        ([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] as [UInt8], "remaining length"),
        ([0x36, 0x03, 0x00, 0x01, 0x61], "QoS 3"),
        ([0x30, 0x03, 0x00, 0x01, 0xFF], "not UTF-8"),
        ([0x90, 0xFF, 0xFF, 0x7F], "larger than any"),
    ])
    func brokenFramingIsAnError(_ bytes: [UInt8], _ reason: String) {
        var decoder = MQTTPacketDecoder(maxMessageBytes: 1 << 20)
        var buffer = ByteBuffer(bytes: bytes)
        #expect { _ = try decoder.next(&buffer) } throws: { "\($0)".contains(reason) }
    }

    @Test func connectAndSubscribeBytes() {
        var out = ByteBuffer()
        MQTTEncoder.connect(.init(clientID: "s", cleanSession: false, keepAliveSeconds: 60, username: "u", password: "p"),
                            into: &out)
        #expect(Array(out.readableBytesView) == [0x10, 19, 0, 4, 77, 81, 84, 84, 4, 0xC0, 0, 60, 0, 1, 115, 0, 1, 117, 0, 1, 112])
        out.clear()
        MQTTEncoder.subscribe(packetID: 1, filters: ["a/+"], qos: 1, into: &out)
        #expect(Array(out.readableBytesView) == [0x82, 8, 0, 1, 0, 3, 97, 47, 43, 1])
        out.clear()
        MQTTEncoder.puback(packetID: 0x1234, into: &out)
        #expect(Array(out.readableBytesView) == [0x40, 2, 0x12, 0x34])
    }

    @Test(arguments: [0, 127, 128, 16_383, 16_384, 2_097_152, 268_435_455])
    func remainingLengthRoundTrips(_ length: Int) throws {
        var out = ByteBuffer()
        MQTTEncoder.appendRemainingLength(length, to: &out)
        #expect(try MQTTPacketDecoder.remainingLength(&out) == length)
    }
}

/// `--mqtt-broker` URLs, and which hosts are addresses (no SNI for them).
struct MQTTBrokerURLTests {
    @Test(arguments: [
        ("tcp://127.0.0.1:1883", "127.0.0.1", 1883, false),
        ("tcp://broker", "broker", 1883, false),
        ("mqtt://broker:11883/", "broker", 11883, false),
        ("ssl://abc-ats.iot.eu-west-1.amazonaws.com:8883", "abc-ats.iot.eu-west-1.amazonaws.com", 8883, true),
        ("mqtts://broker", "broker", 8883, true),
        ("SSL://[::1]:8884", "::1", 8884, true),
    ])
    func parses(_ text: String, _ host: String, _ port: Int, _ tls: Bool) throws {
        let url = try #require(MQTTBrokerURL(text))
        #expect(url.host == host && url.port == port && url.usesTLS == tls)
    }

    @Test(arguments: ["http://broker:1883", "tcp://", "tcp://broker:0", "tcp://broker:70000", "tcp://user@broker",
                      "tcp://broker/topic", "broker:1883"])
    func refuses(_ text: String) {
        #expect(MQTTBrokerURL(text) == nil)
    }

    @Test(arguments: [("127.0.0.1", true), ("::1", true), ("broker.example.com", false), ("1.2.3", false),
                      ("999.1.1.1", false)])
    func addressesGetNoServerName(_ host: String, _ isAddress: Bool) {
        #expect(MQTTSession.isAddress(host) == isAddress)
    }
}
