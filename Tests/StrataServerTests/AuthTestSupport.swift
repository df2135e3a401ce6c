import Foundation
import StrataServer

/// Principals and their secrets for route tests without a token file.
enum TestTokens {
    static let read = "read-secret"
    static let write = "write-secret"
    static let admin = "admin-secret"
    static let readWrite = "read-write-secret"
    /// read and write, limited to device_id robot-1 and robot-2.
    static let devices = "devices-secret"

    static let authenticator = Authenticator(staticTokens: [
        read: Principal(tokenID: "rd000001", scopes: [.read]),
        write: Principal(tokenID: "wr000001", scopes: [.write]),
        admin: Principal(tokenID: "ad000001", scopes: [.admin]),
        readWrite: Principal(tokenID: "rw000001", scopes: [.read, .write]),
        devices: Principal(tokenID: "dv000001", scopes: [.read, .write], devices: ["robot-1", "robot-2"]),
    ])
}
