/// What a token may do. `admin` implies `read` and `write`. See docs/auth.md.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    case read, write, admin

    public static func < (a: Scope, b: Scope) -> Bool {
        let order: [Scope] = [.read, .write, .admin]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}
