import HTTPTypes
import NIOCore

/// Why an upgrade to `/v1/stream` was refused: the status and the message of the JSON
/// body Strata answers with instead of a bare 400. `ConnectionGuard`
/// answers its refusals (503, 408, 431, 400) in the same form.
struct StreamRefusal: Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    /// Sent as `Retry-After` (a 503 or 429 the client may retry).
    var retryAfterSeconds: Int? = nil

    /// The whole HTTP/1.1 response. `Connection: close`: the client asked for a protocol
    /// switch, so the connection carries nothing after the refusal.
    func responseBytes() -> ByteBuffer {
        let body = JSONText.object([("error", JSONText.string(message))]) + "\n"
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        head += "Content-Type: application/json\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n"
        head += "Connection: close\r\n"
        if status == .unauthorized { head += "WWW-Authenticate: Bearer realm=\"strata\"\r\n" }
        if let retryAfterSeconds { head += "Retry-After: \(retryAfterSeconds)\r\n" }
        return ByteBuffer(string: head + "\r\n" + body)
    }
}
