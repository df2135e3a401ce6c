import NIOCore

/// Splits the broker's byte stream into `MQTTPacket`s (MQTT 3.1.1, 2.2: a type byte, a
/// variable-length remaining length, then that many bytes).
///
/// A PUBLISH longer than `maxMessageBytes` is never buffered whole: once its topic and
/// packet id have arrived it is reported as `publishTooLarge` and the rest of its bytes are
/// dropped as they come, so a broker relaying a huge message costs no memory here.
struct MQTTPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = MQTTPacket

    let maxMessageBytes: Int
    /// Bytes of an oversized PUBLISH still to be dropped.
    private var skipping = 0

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Packets other than PUBLISH are small (a SUBACK carries a byte per filter): 64 KiB
    /// bounds them whatever the message limit is.
    static let maxControlPacketBytes = 64 << 10

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try next(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(packet))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }

    /// One packet from the front of `buffer`, or nil until enough bytes are there (having
    /// consumed only bytes of an oversized PUBLISH being skipped).
    mutating func next(_ buffer: inout ByteBuffer) throws(MQTTProtocolError) -> MQTTPacket? {
        if skipping > 0 {
            let n = min(skipping, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: n)
            skipping -= n
            if skipping > 0 { return nil }
        }
        var view = buffer
        guard let first = view.readInteger(as: UInt8.self), let length = try Self.remainingLength(&view) else {
            return nil
        }
        let headerBytes = buffer.readableBytes - view.readableBytes
        let type = first >> 4
        if type == MQTTPacketType.publish.rawValue, length > maxMessageBytes {
            guard let (topic, packetID) = try Self.publishHead(&view, flags: first & 0x0F) else { return nil }
            let consumed = buffer.readableBytes - view.readableBytes
            buffer.moveReaderIndex(forwardBy: consumed)
            skipping = headerBytes + length - consumed
            return .publishTooLarge(topic: topic, packetID: packetID, bytes: length)
        }
        guard type == MQTTPacketType.publish.rawValue || length <= Self.maxControlPacketBytes else {
            throw MQTTProtocolError("a packet of type \(type) with \(length) bytes: larger than any the broker should send")
        }
        guard var body = view.readSlice(length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: headerBytes + length)
        return try Self.packet(type: type, flags: first & 0x0F, body: &body)
    }

    private static func packet(type: UInt8, flags: UInt8, body: inout ByteBuffer) throws(MQTTProtocolError) -> MQTTPacket {
        switch MQTTPacketType(rawValue: type) {
        case .connack:
            guard let ack = body.readInteger(as: UInt8.self), let code = body.readInteger(as: UInt8.self) else {
                throw MQTTProtocolError("CONNACK shorter than 2 bytes")
            }
            return .connack(sessionPresent: ack & 1 == 1, returnCode: code)
        case .publish:
            guard let (topic, packetID) = try publishHead(&body, flags: flags) else {
                throw MQTTProtocolError("PUBLISH shorter than its topic and packet id")
            }
            return .publish(MQTTPublish(topic: topic, qos: (flags >> 1) & 3, packetID: packetID,
                                        duplicate: flags & 0x08 != 0, payload: body))
        case .suback:
            guard let id = body.readInteger(as: UInt16.self) else { throw MQTTProtocolError("SUBACK without a packet id") }
            return .suback(packetID: id, returnCodes: body.readBytes(length: body.readableBytes) ?? [])
        case .pingresp:
            return .pingresp
        default:
            return .other(type: type)
        }
    }

    /// The topic and (QoS 1 and 2) packet id that open a PUBLISH's variable header; nil if
    /// not all of it is in `view` yet.
    private static func publishHead(_ view: inout ByteBuffer, flags: UInt8) throws(MQTTProtocolError)
        -> (String, UInt16?)?
    {
        let qos = (flags >> 1) & 3
        guard qos < 3 else { throw MQTTProtocolError("PUBLISH with QoS 3") }
        guard let topicLength = view.readInteger(as: UInt16.self), let topicBytes = view.readBytes(length: Int(topicLength))
        else { return nil }
        guard let topic = String(validating: topicBytes, as: UTF8.self) else {
            throw MQTTProtocolError("PUBLISH topic is not UTF-8")
        }
        guard qos > 0 else { return (topic, nil) }
        guard let id = view.readInteger(as: UInt16.self) else { return nil }
        return (topic, id)
    }

    /// 2.2.3: at most four bytes; nil until all of them are there.
    static func remainingLength(_ view: inout ByteBuffer) throws(MQTTProtocolError) -> Int? {
        var value = 0
        for shift in stride(from: 0, to: 28, by: 7) {
            guard let byte = view.readInteger(as: UInt8.self) else { return nil }
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
        }
        throw MQTTProtocolError("remaining length longer than four bytes")
    }
}

/// The broker broke the protocol: the connection is closed and made again.
struct MQTTProtocolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
