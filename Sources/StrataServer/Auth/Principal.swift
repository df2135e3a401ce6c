/// Who a request acts for: the token it presented (or none, on an open server), what that
/// token may do, and which devices it may see or write.
public struct Principal: Sendable, Hashable {
    /// The token's public id; nil on an open server (no tokens configured, loopback).
    public var tokenID: String?
    public var scopes: Set<Scope>
    /// Values of `deviceTag` the token is limited to; nil: every device.
    public var devices: Set<String>?
    /// The tag that names a device (`device_id`).
    public var deviceTag: String

    public init(tokenID: String?, scopes: Set<Scope>, devices: Set<String>? = nil, deviceTag: String = Principal.defaultDeviceTag) {
        self.tokenID = tokenID
        self.scopes = scopes
        self.devices = devices
        self.deviceTag = deviceTag
    }

    public static let defaultDeviceTag = "device_id"

    /// An open server's principal: everything, every device.
    public static let open = Principal(tokenID: nil, scopes: Set(Scope.allCases))

    /// No credentials on a server that requires them: nothing.
    public static let anonymous = Principal(tokenID: nil, scopes: [])

    /// `admin` implies every scope.
    public func allows(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }

    /// Whether the token may see or write `device`.
    public func allowsDevice(_ device: String) -> Bool {
        devices?.contains(device) ?? true
    }
}
