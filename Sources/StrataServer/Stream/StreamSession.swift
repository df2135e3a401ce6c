import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// One accepted `/v1/stream` connection: a reader feeding each client message to the hub's
/// endpoint, and a writer sending whatever the endpoint yields, until either side ends.
struct StreamSession: Sendable {
    let endpoint: any StreamEndpoint
    let writes: StreamWatchdog.Writes
    let settings: StreamSettings
    let logger: Logger

    static let binaryRefusal = "binary messages are not accepted: send JSON text messages"

    private enum Ended: Sendable {
        case reader(Result<Void, any Error>)
        case writer
        case closeTimeout
    }

    /// Returns when the connection is over. Rethrows what ended the reader, so the library
    /// closes with the matching code (1009 for an oversized fragmented message).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let readerResult = await withTaskGroup(of: Ended.self) { group -> Result<Void, any Error> in
            group.addTask {
                do {
                    try await self.readLoop(inbound, outbound)
                    return .reader(.success(()))
                } catch {
                    return .reader(.failure(error))
                }
            }
            group.addTask { await self.writeLoop(outbound); return .writer }
            var readerResult: Result<Void, any Error> = .success(())
            var readerDone = false
            while let ended = await group.next() {
                switch ended {
                case .reader(let result):
                    readerResult = result
                    readerDone = true
                    // Cancelled first, so the writer knows the nil that `transportClosed`
                    // makes `nextOutbound` return is no reason to send a close of its own:
                    // the library closes with the code matching how the reader ended.
                    group.cancelAll()
                    endpoint.transportClosed()
                case .writer where !readerDone:
                    // Our close frame went out: the client's answer ends the reader. A client
                    // that never answers is given up on after `closeTimeout`.
                    group.addTask {
                        try? await Task.sleep(for: self.settings.closeTimeout)
                        return .closeTimeout
                    }
                case .writer, .closeTimeout:
                    group.cancelAll()
                }
            }
            return readerResult
        }
        endpoint.transportClosed()
        try readerResult.get()
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

    private func writeLoop(_ outbound: WebSocketOutboundWriter) async {
        do {
            while let next = await endpoint.nextOutbound() {
                switch next {
                case .text(let buffer):
                    // A custom frame carries the hub's buffer as is: one encoding shared by
                    // every connection the message goes to.
                    let frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
                    try await writes.guarded { try await outbound.write(.custom(frame)) }
                case .close(let code, let reason):
                    try await writes.guarded {
                        try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                    }
                    return
                }
            }
            // The hub ended the connection by itself: tell the client.
            if !Task.isCancelled {
                try await writes.guarded { try await outbound.close(.normalClosure, reason: nil) }
            }
        } catch {
            // The socket is gone or closing; the reader sees the same and ends the session.
            logger.debug("stream write ended", metadata: ["connection": .string(endpoint.id), "error": "\(error)"])
            endpoint.transportClosed()
        }
    }
}
