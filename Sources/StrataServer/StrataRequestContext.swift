import Hummingbird

/// The request context of every route: Hummingbird's core storage plus who the request
/// acts for, set by `AuthMiddleware` before any handler runs.
public struct StrataRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.principal = .anonymous
    }
}
