import Foundation
import HTTPTypes

/// Where a request's token comes from (docs/auth.md, "Presenting a token"), in this order:
/// the `Authorization` header (`Bearer`, InfluxDB 2's `Token`, or InfluxDB 1's `Basic`
/// with the token as the password), then InfluxDB 1's `p` URL parameter (`u` is ignored).
public enum Credentials {
    public enum Found: Sendable, Equatable {
        case absent
        case token(String)
        /// An `Authorization` header Strata cannot read; the reason names the scheme only.
        case unreadable(String)
    }

    public static func find(headers: HTTPFields, query: String?) -> Found {
        if let value = headers[.authorization] { return fromAuthorization(value) }
        if let password = FormParameters(query: query)["p"], !password.isEmpty { return .token(password) }
        return .absent
    }

    /// The token in an `Authorization` value.
    public static func fromAuthorization(_ value: String) -> Found {
        let trimmed = value.trimmingSpaces()
        let space = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let scheme = trimmed[..<space].lowercased()
        let rest = String(trimmed[space...]).trimmingSpaces()
        switch scheme {
        case "bearer", "token":
            return rest.isEmpty ? .unreadable("empty \(scheme) credentials") : .token(rest)
        case "basic":
            guard let data = Data(base64Encoded: rest), let decoded = String(data: data, encoding: .utf8),
                let colon = decoded.firstIndex(of: ":")
            else { return .unreadable("malformed Basic credentials") }
            let password = String(decoded[decoded.index(after: colon)...])
            return password.isEmpty ? .unreadable("Basic credentials without a password (the token)") : .token(password)
        default:
            return .unreadable("unsupported Authorization scheme (use Bearer, Token or Basic)")
        }
    }

    /// The token in a WebSocket `Sec-WebSocket-Protocol` offer (`bearer.<token>`), given the
    /// header's values; browsers join the offered protocols with commas.
    public static func fromSubprotocols(_ values: [String]) -> String? {
        for value in values {
            for offered in value.split(separator: ",") {
                let name = String(offered).trimmingSpaces()
                if name.lowercased().hasPrefix("bearer."), name.count > "bearer.".count {
                    return String(name.dropFirst("bearer.".count))
                }
            }
        }
        return nil
    }
}
