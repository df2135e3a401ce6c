import StrataCore

/// Who a statement runs for: what it may do and which devices it sees. The executor takes
/// one for every statement it runs and enforces both itself (docs/auth.md, "Where it is
/// enforced"), so a caller that forgets to check at its route still cannot widen either.
public struct QueryPrincipal: Sendable, Equatable {
    /// How messages name it (`token 4f3a9c1e`); never a secret.
    public var name: String
    public var privileges: Set<StatementPrivilege>
    /// The devices it is limited to; nil: every device.
    public var devices: DeviceAllowlist?

    public init(name: String, privileges: Set<StatementPrivilege>, devices: DeviceAllowlist? = nil) {
        self.name = name
        self.privileges = privileges
        self.devices = devices
    }

    /// Every privilege and every device: an open server, the local CLI on a data directory,
    /// the engine's own maintenance.
    public static func unrestricted(_ name: String) -> QueryPrincipal {
        QueryPrincipal(name: name, privileges: [.read, .write, .admin])
    }

    /// Series outside this do not exist for the principal; nil: every series.
    public var restriction: TagPredicate? {
        devices.map { .isIn($0.tag, $0.values) }
    }
}

/// The values of one tag a principal is limited to (a token's `--devices`, docs/auth.md).
public struct DeviceAllowlist: Sendable, Equatable {
    /// The tag that names a device (`device_id`).
    public var tag: String
    public var values: Set<String>

    public init(tag: String, values: Set<String>) {
        self.tag = tag
        self.values = values
    }
}

/// A statement the principal may not run. InfluxDB 1.x authorizes a whole query text before
/// running any of it, so one refused statement refuses the text (HTTP 403).
public struct QueryAuthorizationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) {
        self.description = description
    }
}
