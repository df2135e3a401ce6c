import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus who the request
/// acts for, set by `AuthMiddleware` before any handler runs.
public struct StrataRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal
    /// The request's connection; nil where there is none (route tests).
    public var channel: (any Channel)?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.principal = .anonymous
        self.channel = source.channel
    }
}
