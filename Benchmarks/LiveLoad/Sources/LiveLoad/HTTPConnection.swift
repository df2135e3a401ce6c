import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 keep-alive connection to the server, used by one task at a time: send a
/// request, read its whole response, repeat. A raw NIO client rather than a pooled one so
/// that each robot owns exactly one socket and the timings have no pool in them.
struct HTTPConnection {
    struct Response {
        var status: Int
        var body: String
    }

    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    let host: String
    let port: Int

    /// Runs `body` with a connected exchange; the socket is closed when it returns.
    func withExchange<R: Sendable>(_ body: (inout Exchange) async throws -> R) async throws -> R {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var exchange = Exchange(host: host, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&exchange)
        }
    }

    struct Exchange {
        let host: String
        var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

        /// Sends one POST and waits for the end of its response.
        mutating func post(_ uri: String, body: String, contentType: String = "text/plain") async throws -> Response {
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: host)
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: headers)
            try await outbound.write(contentsOf: [
                .head(head), .body(.byteBuffer(ByteBuffer(string: body))), .end(nil),
            ])
            return try await readResponse()
        }

        private mutating func readResponse() async throws -> Response {
            var status = 0
            var body = ""
            while let part = try await inbound.next() {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(let buffer): body += String(buffer: buffer)
                case .end: return Response(status: status, body: body)
                }
            }
            throw LoadError("server closed the connection before answering")
        }
    }
}
