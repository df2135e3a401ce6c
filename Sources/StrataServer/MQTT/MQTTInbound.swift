import NIOCore

/// What the client's pipeline hands to its session: a message already mapped to points
/// (on the event loop, off Swift's cooperative pool), or another packet.
enum MQTTInbound: Sendable {
    case message(MQTTMessage)
    case packet(MQTTPacket)
}

/// One received PUBLISH and what the rules made of it.
struct MQTTMessage: Sendable {
    var topic: String
    /// Set for QoS 1: the PUBACK to send once its points are durable.
    var packetID: UInt16?
    var payloadBytes: Int
    var mapped: MQTTMessageMapper.Mapped
    /// Set when the message was too large to read (`MQTTPacket.publishTooLarge`).
    var tooLarge = false
}

/// Behind `MQTTPacketDecoder`: maps each PUBLISH by the rules as it arrives, so JSON is
/// parsed on the connection's event loop rather than on the cooperative pool.
final class MQTTPublishMapper: ChannelInboundHandler, Sendable {
    typealias InboundIn = MQTTPacket
    typealias InboundOut = MQTTInbound

    let mapper: MQTTMessageMapper
    let now: @Sendable () -> Int64

    init(mapper: MQTTMessageMapper, now: @escaping @Sendable () -> Int64) {
        self.mapper = mapper
        self.now = now
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .publish(let publish):
            let mapped = mapper.map(topic: publish.topic, payload: publish.payload, arrival: now())
            let message = MQTTMessage(topic: publish.topic, packetID: publish.qos > 0 ? publish.packetID : nil,
                                      payloadBytes: publish.payload.readableBytes, mapped: mapped)
            context.fireChannelRead(wrapInboundOut(.message(message)))
        case .publishTooLarge(let topic, let packetID, let bytes):
            let message = MQTTMessage(topic: topic, packetID: packetID, payloadBytes: bytes,
                                      mapped: .init(), tooLarge: true)
            context.fireChannelRead(wrapInboundOut(.message(message)))
        case let other:
            context.fireChannelRead(wrapInboundOut(.packet(other)))
        }
    }
}

/// Keeps the connection alive and notices a dead broker (MQTT 3.1.1, 3.1.2.10): a PINGREQ
/// whenever nothing was written for half the keep-alive, and the connection closed when
/// nothing was read for one and a half (the broker's own cut-off for a silent client).
final class MQTTKeepAliveHandler: ChannelDuplexHandler, Sendable {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch idle {
        case .write:
            var ping = context.channel.allocator.buffer(capacity: 2)
            MQTTEncoder.pingreq(into: &ping)
            context.writeAndFlush(NIOAny(ping), promise: nil)
        case .read:
            context.fireErrorCaught(MQTTProtocolError("the broker sent nothing for 1.5 keep-alive periods, not even a PINGRESP"))
            context.close(promise: nil)
        case .all:
            break
        }
    }
}
