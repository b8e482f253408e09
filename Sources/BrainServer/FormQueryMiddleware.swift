import Hummingbird

/// Reads `+` in a query string as a space, as HTML forms, curl's `--data-urlencode -G`, Python's
/// `urlencode` and most HTTP clients write it (application/x-www-form-urlencoded). Hummingbird
/// decodes only `%XX`, so `?category=company+tax` would look for the category "company+tax" and
/// `?owner=+12.345.678-5` would be refused. A literal plus arrives as `%2B` and stays a plus.
struct FormQueryMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = request.head.path, let queryStart = path.firstIndex(of: "?"),
            path[queryStart...].contains("+")
        else {
            return try await next(request, context)
        }
        var head = request.head
        head.path = path[..<queryStart] + path[queryStart...].replacingOccurrences(of: "+", with: "%20")
        return try await next(Request(head: head, body: request.body), context)
    }
}
