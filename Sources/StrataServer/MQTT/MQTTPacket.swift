import NIOCore

/// The MQTT 3.1.1 packets Strata's ingest client receives (OASIS MQTT 3.1.1, section 3),
/// decoded by `MQTTPacketDecoder`. docs/mqtt.md says why Strata speaks the protocol itself.
enum MQTTPacket: Sendable, Equatable {
    case connack(sessionPresent: Bool, returnCode: UInt8)
    case publish(MQTTPublish)
    /// A PUBLISH larger than the message limit: its bytes were skipped, only its topic and
    /// packet id were kept, so it can be counted and acknowledged like any refused message.
    case publishTooLarge(topic: String, packetID: UInt16?, bytes: Int)
    case suback(packetID: UInt16, returnCodes: [UInt8])
    case pingresp
    /// Anything else a broker may send a subscriber (PUBREL, UNSUBACK): ignored.
    case other(type: UInt8)
}

struct MQTTPublish: Sendable, Equatable {
    var topic: String
    var qos: UInt8
    /// Present for QoS 1 and 2.
    var packetID: UInt16?
    var duplicate: Bool
    var payload: ByteBuffer
}

/// Packet types of the fixed header's high nibble (MQTT 3.1.1, 2.2.1).
enum MQTTPacketType: UInt8 {
    case connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback
    case unsubscribe, unsuback, pingreq, pingresp, disconnect
}

/// The CONNACK return codes of MQTT 3.1.1, 3.2.2.3, as an operator reads them.
enum MQTTConnectRefusal {
    static func describe(_ code: UInt8) -> String {
        switch code {
        case 1: "unacceptable protocol version (the broker does not speak MQTT 3.1.1)"
        case 2: "client identifier rejected"
        case 3: "server unavailable"
        case 4: "bad user name or password"
        case 5: "not authorized"
        default: "refused with return code \(code)"
        }
    }
}

/// Encoders for what the client sends; each appends one whole packet to `out`.
enum MQTTEncoder {
    struct Connect {
        var clientID: String
        var cleanSession: Bool
        var keepAliveSeconds: UInt16
        var username: String?
        var password: String?
    }

    static func connect(_ c: Connect, into out: inout ByteBuffer) {
        var body = ByteBuffer()
        appendString("MQTT", to: &body)
        body.writeInteger(UInt8(4))  // protocol level 4: MQTT 3.1.1
        var flags: UInt8 = c.cleanSession ? 0x02 : 0
        if c.username != nil { flags |= 0x80 }
        if c.password != nil { flags |= 0x40 }
        body.writeInteger(flags)
        body.writeInteger(c.keepAliveSeconds)
        appendString(c.clientID, to: &body)
        if let username = c.username { appendString(username, to: &body) }
        if let password = c.password { appendString(password, to: &body) }
        appendPacket(type: .connect, flags: 0, body: body, to: &out)
    }

    /// Each filter at `qos`; the broker grants at most that.
    static func subscribe(packetID: UInt16, filters: [String], qos: UInt8, into out: inout ByteBuffer) {
        var body = ByteBuffer()
        body.writeInteger(packetID)
        for filter in filters {
            appendString(filter, to: &body)
            body.writeInteger(qos)
        }
        // SUBSCRIBE's fixed-header flags are 0010 (3.8.1).
        appendPacket(type: .subscribe, flags: 0x02, body: body, to: &out)
    }

    static func puback(packetID: UInt16, into out: inout ByteBuffer) {
        out.writeInteger(MQTTPacketType.puback.rawValue << 4)
        out.writeInteger(UInt8(2))
        out.writeInteger(packetID)
    }

    static func pingreq(into out: inout ByteBuffer) {
        out.writeInteger(MQTTPacketType.pingreq.rawValue << 4)
        out.writeInteger(UInt8(0))
    }

    static func disconnect(into out: inout ByteBuffer) {
        out.writeInteger(MQTTPacketType.disconnect.rawValue << 4)
        out.writeInteger(UInt8(0))
    }

    /// A PUBLISH, for tests that play the broker.
    static func publish(_ p: MQTTPublish, into out: inout ByteBuffer) {
        var body = ByteBuffer()
        appendString(p.topic, to: &body)
        if let id = p.packetID { body.writeInteger(id) }
        var payload = p.payload
        body.writeBuffer(&payload)
        let flags = (p.duplicate ? UInt8(0x08) : 0) | (p.qos << 1)
        appendPacket(type: .publish, flags: flags, body: body, to: &out)
    }

    static func appendPacket(type: MQTTPacketType, flags: UInt8, body: ByteBuffer, to out: inout ByteBuffer) {
        out.writeInteger(type.rawValue << 4 | flags)
        appendRemainingLength(body.readableBytes, to: &out)
        var body = body
        out.writeBuffer(&body)
    }

    /// The variable-length integer of 2.2.3: seven bits a byte, least significant first.
    static func appendRemainingLength(_ length: Int, to out: inout ByteBuffer) {
        var rest = length
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            out.writeInteger(byte)
        } while rest > 0
    }

    /// A UTF-8 string with its two-byte big-endian length (1.5.3).
    static func appendString(_ s: String, to out: inout ByteBuffer) {
        out.writeInteger(UInt16(s.utf8.count))
        out.writeString(s)
    }
}
