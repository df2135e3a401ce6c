import Foundation

extension ClientMessage {
    /// Parses one text frame. Errors name the key that was wrong and what was expected;
    /// they carry the subscription id when it could be read.
    static func parse(_ text: String) throws(LiveProtocolError) -> ClientMessage {
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
