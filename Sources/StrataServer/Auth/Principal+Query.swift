import StrataQuery

extension Principal {
    /// The same principal as the query executor checks it: scopes become statement
    /// privileges (`admin` implies the others), the device allowlist stays an allowlist.
    public var query: QueryPrincipal {
        var privileges: Set<StatementPrivilege> = []
        if allows(.read) { privileges.insert(.read) }
        if allows(.write) { privileges.insert(.write) }
        if allows(.admin) { privileges.insert(.admin) }
        return QueryPrincipal(name: AuthMiddleware.name(self), privileges: privileges,
                              devices: devices.map { DeviceAllowlist(tag: deviceTag, values: $0) })
    }
}
