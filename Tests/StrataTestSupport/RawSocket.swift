import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Test code shared by StrataServerTests and strataTests: a raw WebSocket client that sees
// exact handshake bytes, writes frames by hand, and can stop reading.

/// A blocking TCP client for exact bytes: the handshake's status line and headers, frames
/// written by hand, a client that stops reading. Reads time out after `timeout`.
public final class RawSocket: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    /// `receiveBuffer`: a small kernel receive buffer, set before connecting (after, Linux
    /// has already grown the window), so a client that stops reading stalls the server soon.
    /// `timeout` guards against a hang: 30 s, as a loaded 2-core CI machine ran a handshake
    /// past 10 s; a test that waits for silence passes its own.
    public init(port: Int, timeout: Duration = .seconds(30), receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw TestError("connect to port \(port): errno \(errno)")
        }
        let seconds = timeout.components.seconds
        var tv = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Closes the sending side only (a client that half-closes after its request, as
    /// `nc -N` does); the answer can still be read.
    public func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the socket now (a client that leaves); later calls do nothing.
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestError("send: errno \(errno)") }
            offset += n
        }
    }

    /// False at end of stream; throws on a timeout or error.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else { throw TestError("recv: errno \(errno) (timed out?)") }
        buffer += chunk[..<n]
        return true
    }

    /// The HTTP response head (through the blank line).
    public func readHead() throws -> String {
        let end: [UInt8] = [13, 10, 13, 10]
        while true {
            if let range = buffer.firstRange(of: end) {
                let head = String(decoding: buffer[..<range.upperBound], as: UTF8.self)
                buffer.removeSubrange(..<range.upperBound)
                return head
            }
            guard try fill() else { throw TestError("connection ended before the response head: \(String(decoding: buffer, as: UTF8.self))") }
        }
    }

    /// Everything until the server closes the connection.
    public func readToEnd() throws -> String {
        while try fill() {}
        defer { buffer = [] }
        return String(decoding: buffer, as: UTF8.self)
    }

    public struct Frame: Sendable {
        public var opcode: UInt8
        public var payload: [UInt8]
        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// A close frame's code and reason.
        public var close: (code: UInt16, reason: String)? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return (UInt16(payload[0]) << 8 | UInt16(payload[1]), String(decoding: payload[2...], as: UTF8.self))
        }
    }

    /// The next frame (server frames are not masked); nil if the connection ended.
    public func readFrame() throws -> Frame? {
        func need(_ count: Int) throws -> Bool {
            while buffer.count < count { guard try fill() else { return false } }
            return true
        }
        guard try need(2) else { return nil }
        var length = Int(buffer[1] & 0x7F)
        var header = 2
        if length == 126 {
            guard try need(4) else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            header = 4
        } else if length == 127 {
            guard try need(10) else { return nil }
            length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
            header = 10
        }
        guard try need(header + length) else { return nil }
        let frame = Frame(opcode: buffer[0] & 0x0F, payload: Array(buffer[header..<header + length]))
        buffer.removeSubrange(..<(header + length))
        return frame
    }

    /// The next frame that is not a ping.
    public func readDataOrClose() throws -> Frame? {
        while let frame = try readFrame() {
            if frame.opcode != 0x9 { return frame }
        }
        return nil
    }

    /// A masked client frame (RFC 6455 §5.3).
    public func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) throws {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            bytes.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try send(bytes)
    }

    public func sendText(_ text: String) throws { try sendFrame(opcode: 0x1, payload: Array(text.utf8)) }

    public func sendClose(code: UInt16 = 1000) throws {
        try sendFrame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    /// Connects and completes a `/v1/stream` upgrade; returns the socket past the 101.
    public static func upgraded(port: Int, protocols: String = "strata.v1", authorization: String? = nil,
                         receiveBuffer: Int32? = nil) throws -> RawSocket {
        let socket = try RawSocket(port: port, receiveBuffer: receiveBuffer)
        try socket.send(upgradeRequest(protocols: protocols, authorization: authorization))
        let head = try socket.readHead()
        guard head.hasPrefix("HTTP/1.1 101") else { throw TestError("upgrade refused: \(head)") }
        return socket
    }
}

public func upgradeRequest(path: String = "/v1/stream", protocols: String?, authorization: String? = nil) -> String {
    var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    if let protocols { request += "Sec-WebSocket-Protocol: \(protocols)\r\n" }
    if let authorization { request += "Authorization: \(authorization)\r\n" }
    return request + "\r\n"
}

/// Runs blocking socket code on a thread of its own: the cooperative pool (two threads on
/// this machine) also runs the server's WebSocket tasks and must not be blocked.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
