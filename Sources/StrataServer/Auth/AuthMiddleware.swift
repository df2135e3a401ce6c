import Hummingbird

/// PLACEHOLDER (issue 4 skeleton): sets `context.principal` from the request's credentials
/// and refuses a route the principal may not use (401/403).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if authenticator.isOpen { context.principal = .open }
        return try await next(request, context)
    }
}
