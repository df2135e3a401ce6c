import Logging
import NIOCore
import NIOPosix
import NIOSSL
import StrataCore
import Synchronization

/// One connection to the broker, from CONNECT to its close (docs/mqtt.md, "Delivery").
///
/// The reader queues each mapped message in an `MQTTInbox`; the committer takes all that is
/// queued, writes it with one engine write per store (so one WAL fsync covers the lot) and
/// then sends their PUBACKs in the order the messages came, as MQTT 3.1.1, 4.6 requires.
/// A connection lost before that leaves the messages unacknowledged, and the broker sends
/// them again to the same session.
struct MQTTSession: Sendable {
    let configuration: MQTTConfiguration
    let committer: MQTTCommitter
    let sslContext: NIOSSLContext?
    let logger: Logger
    /// Finished by `stop()`: the committer drains it and the session ends.
    let inbox = MQTTInbox()
    /// Set once the broker accepted the connection, so a later failure starts the
    /// reconnection delays from the shortest again.
    let connected = MQTTSessionFlag()

    /// Connects, subscribes and runs until the connection ends (throws) or `stop()` (returns).
    func run() async throws {
        let channel = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            var packets = inbound.makeAsyncIterator()
            let sessionPresent = try await connectHandshake(&packets, outbound)
            connected.set()
            committer.metrics.connected.increment()
            defer { committer.metrics.connected.decrement() }
            logger.info("mqtt connected", metadata: [
                "broker": .string(configuration.broker.description), "clientID": .string(configuration.clientID),
                "sessionPresent": .stringConvertible(sessionPresent),
            ])
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Running before SUBSCRIBE: a broker sends the messages it kept at once.
                group.addTask {
                    do {
                        try await commitUntilStopped(outbound)
                    } catch {
                        // Nothing more is acknowledged on this connection: end the reader too,
                        // so the session ends and the broker sends the rest again.
                        inbox.finish()
                        try? await channel.channel.close()
                        throw error
                    }
                    // Stopped: DISCONNECT tells the broker to keep the session, and closing
                    // ends the reader below.
                    var bye = ByteBuffer()
                    MQTTEncoder.disconnect(into: &bye)
                    try? await outbound.write(bye)
                    try? await channel.channel.close()
                }
                try await subscribe(outbound)
                try await read(&packets)
                try await group.waitForAll()
            }
        }
    }

    /// Stops taking messages; those already taken are written and acknowledged first.
    func stop() {
        inbox.finish()
    }

    private func connect() async throws -> NIOAsyncChannel<MQTTInbound, ByteBuffer> {
        let mapper = MQTTMessageMapper(rules: configuration.rules)
        let keepAlive = Int64(configuration.keepAliveSeconds)
        let broker = configuration.broker
        let maxMessageBytes = configuration.maxMessageBytes
        let sslContext = self.sslContext
        let clock = committer.engine.options.clock
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: broker.host, port: broker.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        // SNI takes names only; an address is checked against the certificate as is.
                        let name = Self.isAddress(broker.host) ? nil : broker.host
                        try pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: name))
                    }
                    try pipeline.addHandler(IdleStateHandler(
                        readTimeout: .milliseconds(keepAlive * 1_500), writeTimeout: .milliseconds(keepAlive * 500)))
                    try pipeline.addHandler(MQTTKeepAliveHandler())
                    try pipeline.addHandler(ByteToMessageHandler(MQTTPacketDecoder(maxMessageBytes: maxMessageBytes)))
                    try pipeline.addHandler(MQTTPublishMapper(mapper: mapper, now: { clock.now() }))
                    return try NIOAsyncChannel<MQTTInbound, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// CONNECT with a persistent session (clean session off); returns whether the broker
    /// still had it.
    private func connectHandshake(_ packets: inout NIOAsyncChannelInboundStream<MQTTInbound>.AsyncIterator,
                                  _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Bool {
        var out = ByteBuffer()
        MQTTEncoder.connect(.init(clientID: configuration.clientID, cleanSession: false,
                                  keepAliveSeconds: UInt16(configuration.keepAliveSeconds),
                                  username: configuration.username, password: configuration.password), into: &out)
        try await outbound.write(out)
        guard case .packet(.connack(let sessionPresent, let code))? = try await packets.next() else {
            throw MQTTSessionError("the broker did not answer CONNECT with CONNACK")
        }
        guard code == 0 else {
            throw MQTTSessionError("the broker refused the connection: \(MQTTConnectRefusal.describe(code))")
        }
        return sessionPresent
    }

    /// Every filter at QoS 1, in one SUBSCRIBE (packet id 1: the only one this client sends).
    private func subscribe(_ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        var out = ByteBuffer()
        MQTTEncoder.subscribe(packetID: 1, filters: configuration.rules.filters, qos: 1, into: &out)
        try await outbound.write(out)
    }

    /// Queues messages until the connection closes: an error unless `stop()` closed it.
    private func read(_ packets: inout NIOAsyncChannelInboundStream<MQTTInbound>.AsyncIterator) async throws {
        defer { inbox.finish() }
        do {
            while let inbound = try await packets.next() {
                switch inbound {
                case .message(let message):
                    await inbox.put(message)
                case .packet(.suback(_, let codes)):
                    checkGrants(codes)
                case .packet:
                    continue
                }
            }
        } catch where inbox.isFinished {
            return
        }
        if inbox.isFinished { return }
        throw MQTTSessionError("the broker closed the connection")
    }

    private func checkGrants(_ codes: [UInt8]) {
        for (filter, code) in zip(configuration.rules.filters, codes) {
            if code == 0x80 {
                logger.error("mqtt broker refused the subscription", metadata: ["filter": .string(filter)])
            } else if code == 0 {
                logger.warning("mqtt broker granted only QoS 0: messages of this filter can be lost",
                               metadata: ["filter": .string(filter)])
            }
        }
    }

    private func commitUntilStopped(_ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        var acks = ByteBuffer()
        while let batch = await inbox.takeAll() {
            let started = ContinuousClock.now
            let ids = try await committer.commit(batch)
            guard !ids.isEmpty else { continue }
            acks.clear()
            for id in ids { MQTTEncoder.puback(packetID: id, into: &acks) }
            try await outbound.write(acks)
            committer.metrics.commitDuration.record(duration: ContinuousClock.now - started)
        }
    }

    static func isAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

final class MQTTSessionFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

struct MQTTSessionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
