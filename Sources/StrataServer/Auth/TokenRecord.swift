import Foundation

/// One token as `tokens.json` keeps it (docs/auth.md, "Storage"): everything but the secret,
/// of which only a SHA-256 hash is stored.
public struct TokenRecord: Sendable, Equatable, Codable {
    /// Public, short, unique in the store; also the second part of the token text.
    public var id: String
    /// `sha256:` and the lowercase hex digest of the whole token text.
    public var hash: String
    public var scopes: [Scope]
    /// Values of `deviceTag` the token is limited to; nil: every device.
    public var devices: [String]?
    public var deviceTag: String
    public var created: Date
    public var expires: Date?
    public var revoked: Date?
    public var description: String?

    public init(
        id: String, hash: String, scopes: [Scope], devices: [String]? = nil,
        deviceTag: String = Principal.defaultDeviceTag, created: Date, expires: Date? = nil, revoked: Date? = nil,
        description: String? = nil
    ) {
        self.id = id
        self.hash = hash
        self.scopes = scopes
        self.devices = devices
        self.deviceTag = deviceTag
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.description = description
    }

    public enum Status: String, Sendable {
        case active, expired, revoked
    }

    public func status(at now: Date) -> Status {
        if revoked != nil { return .revoked }
        if let expires, expires <= now { return .expired }
        return .active
    }

    /// What a request presenting this token acts as.
    public var principal: Principal {
        Principal(tokenID: id, scopes: Set(scopes), devices: devices.map { Set($0) }, deviceTag: deviceTag)
    }
}
