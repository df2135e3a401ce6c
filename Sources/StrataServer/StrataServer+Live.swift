import Hummingbird

extension StrataServer {
    /// PLACEHOLDER (issue 4 skeleton): `/`, `GET /v1/stream` without an upgrade,
    /// `/v1/connections`, `/metrics`.
    static func addLiveRoutes(to router: Router<StrataRequestContext>, services: ServerServices) {}
}
