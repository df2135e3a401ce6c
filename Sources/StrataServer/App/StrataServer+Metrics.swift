import Hummingbird

extension StrataServer {
    /// `/metrics` in Prometheus' text format (docs/metrics.md); admin only (docs/auth.md).
    static func addMetricsRoute(to router: Router<StrataRequestContext>, services: ServerServices) {
        let metrics = MetricsEndpoint(engine: services.hub.engine, hub: services.hub, metrics: services.metrics,
                                      queries: services.queries)
        router.get("/metrics", use: metrics.render)
    }
}
