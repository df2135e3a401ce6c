import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// One accepted `/v1/stream` connection: the connection's task reads each client message
/// and feeds it to the hub's endpoint, while a `StreamFrameWriter` on the event loop writes
/// what the endpoint queues, until either side ends. No other task runs per connection
/// except while the server's own close handshake is in flight.
struct StreamSession: Sendable {
    let endpoint: any StreamEndpoint
    let writes: StreamWatchdog.Writes
    let settings: StreamSettings
    let logger: Logger

    static let binaryRefusal = "binary messages are not accepted: send JSON text messages"

    /// Returns when the connection is over. Rethrows what ended the reader, so the library
    /// closes with the matching code (1009 for an oversized fragmented message).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async throws {
        let closer = Closer()
        defer {
            closer.cancel()
            endpoint.transportClosed()
        }
        try await StreamFrameWriter.install(on: channel, endpoint: endpoint, writes: writes) { [self] code, reason in
            closer.start { await self.sendClose(code: code, reason: reason, outbound: outbound, channel: channel) }
        }
        try await readLoop(inbound, outbound)
    }

    private func readLoop(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        for try await message in inbound.messages(maxSize: settings.maxMessageBytes) {
            switch message {
            case .text(let text):
                await endpoint.receive(text)
            case .binary:
                // The protocol is JSON text; a binary frame is a client bug worth a clear close.
                try await writes.guarded { try await outbound.close(.unacceptableData, reason: Self.binaryRefusal) }
                return
            }
        }
    }

    /// The hub queued a close (admin kick, slow consumer, shutdown): sent through the library,
    /// so it runs the close handshake. The client's answer ends the reader; a client that
    /// never answers is dropped after `closeTimeout`.
    private func sendClose(code: UInt16, reason: String, outbound: WebSocketOutboundWriter, channel: any Channel) async {
        do {
            try await writes.guarded {
                try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
            }
        } catch {
            // The socket is gone or closing; the reader sees the same and ends the session.
            logger.debug("stream close not sent", metadata: ["connection": .string(endpoint.id), "error": "\(error)"])
        }
        try? await Task.sleep(for: settings.closeTimeout)
        if !Task.isCancelled { channel.close(mode: .all, promise: nil) }
    }

    /// The close handshake's task, cancelled when the session ends.
    private final class Closer: Sendable {
        private let task = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

        func start(_ body: @escaping @Sendable () async -> Void) {
            task.withLock { t in
                guard !t.cancelled, t.task == nil else { return }
                t.task = Task { await body() }
            }
        }

        func cancel() {
            task.withLock { t in
                t.cancelled = true
                t.task?.cancel()
            }
        }
    }
}
