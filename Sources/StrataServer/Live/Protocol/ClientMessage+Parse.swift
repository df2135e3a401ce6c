import Foundation

extension ClientMessage {
    /// Parses one text frame. Errors name the key that was wrong and what was expected;
    /// they carry the subscription id when it could be read.
    static func parse(_ text: String) throws(LiveProtocolError) -> ClientMessage {
        try refuseDeepNesting(text)
        let value: LiveJSON
        do {
            value = try JSONDecoder().decode(LiveJSON.self, from: Data(text.utf8))
        } catch {
            throw LiveProtocolError("message is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw LiveProtocolError("message must be a JSON object, got \(value.kind)")
        }
        guard let actionValue = object["action"] else { throw LiveProtocolError("missing \"action\"") }
        guard case .string(let action) = actionValue else {
            throw LiveProtocolError("\"action\": expected a string, got \(actionValue.kind)")
        }
        switch action {
        case "ping":
            return .ping
        case "unsubscribe":
            return .unsubscribe(id: try requiredID(object))
        case "subscribe":
            let id = try requiredID(object)
            do {
                return .subscribe(try SubscribeRequest(object, id: id))
            } catch {
                throw LiveProtocolError(error.message, id: id)
            }
        default:
            throw LiveProtocolError("unknown action \"\(action)\": expected subscribe, unsubscribe or ping")
        }
    }

    /// Messages nest three or four levels. Foundation's decoder accepts 512, but decoding
    /// `LiveJSON` that deep takes ~4 KB of stack a level in a debug build (2 MB at 512) and
    /// time quadratic in the depth (~2 s at 512), so deeper than this is refused first, by a
    /// scan of the brackets outside strings.
    static let maximumNesting = 32

    private static func refuseDeepNesting(_ text: String) throws(LiveProtocolError) {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumNesting {
                    throw LiveProtocolError("message is not valid JSON: nested deeper than \(maximumNesting) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
    }

    private static func requiredID(_ object: [String: LiveJSON]) throws(LiveProtocolError) -> String {
        guard let value = object["id"] else { throw LiveProtocolError("missing \"id\"") }
        guard case .string(let id) = value else { throw LiveProtocolError("\"id\": expected a string, got \(value.kind)") }
        guard !id.isEmpty else { throw LiveProtocolError("\"id\": must not be empty") }
        // Ids are echoed in every message of the subscription: keep them short.
        guard id.utf8.count <= LiveLimits.maxIDBytes else {
            throw LiveProtocolError("\"id\": longer than \(LiveLimits.maxIDBytes) bytes")
        }
        return id
    }
}
