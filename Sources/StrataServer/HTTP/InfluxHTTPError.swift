import HTTPTypes
import Hummingbird

/// An error answered the way InfluxDB does: a JSON body `{"error":"..."}` and the same text in
/// `X-Influxdb-Error` (InfluxDB 1.x clients such as Telegraf read the header, others the body).
/// On /api/v2 routes the body also carries InfluxDB 2's `code` and `message` (what the v2
/// client libraries read) and the `X-Platform-Error-Code` header.
struct InfluxHTTPError: HTTPResponseError, CustomStringConvertible {
    enum Dialect: Sendable { case v1, v2 }

    var status: HTTPResponse.Status
    var message: String
    var dialect: Dialect

    init(_ status: HTTPResponse.Status, _ message: String, dialect: Dialect = .v1) {
        self.status = status
        self.message = message
        self.dialect = dialect
    }

    var description: String { "\(status.code) \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name.influxError] = Self.headerSafe(message)
        var members = [("error", JSONText.string(message))]
        if dialect == .v2 {
            headers[HTTPField.Name.platformErrorCode] = v2Code
            members = [("code", JSONText.string(v2Code)), ("message", JSONText.string(message))] + members
        }
        let body = JSONText.object(members) + "\n"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// InfluxDB 2's error codes (influxdb/kit/platform/errors.go).
    private var v2Code: String {
        switch status.code {
        case 404: "not found"
        case 413: "request too large"
        case 415: "unsupported media type"
        case 400..<500: "invalid"
        default: "internal error"
        }
    }

    /// Header values cannot hold control characters, and a parse error quotes the bad line,
    /// which may be up to 64 KiB: keep the header short and printable; the body has it all.
    static func headerSafe(_ s: String) -> String {
        var out = String(s.unicodeScalars.prefix(512).map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if s.unicodeScalars.count > 512 { out += "..." }
        return out
    }
}

extension HTTPField.Name {
    static let influxError = HTTPField.Name("X-Influxdb-Error")!
    static let influxVersion = HTTPField.Name("X-Influxdb-Version")!
    static let influxBuild = HTTPField.Name("X-Influxdb-Build")!
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let platformErrorCode = HTTPField.Name("X-Platform-Error-Code")!
}
