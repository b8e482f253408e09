import Hummingbird

/// Answers 405 with `Allow` when the path has routes but none for the request's method (RFC 9110
/// §15.5.6), instead of the router's 404.
///
/// `buildRouter` adds it after every route: Hummingbird wraps each route in the middleware added
/// before it, and the not-found responder in all of them, so this one only ever sees requests
/// no route took.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = routes.methods(forPath: request.uri.path), !methods.contains(request.method) else {
            return try await next(request, context)
        }
        throw APIError.methodNotAllowed(request, allowed: methods)
    }
}
