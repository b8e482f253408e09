import BrainCore
import Hummingbird
import Logging
import NIOHTTP1

/// Turns every failure into the API's error body, so no client ever sees an empty or HTML error,
/// and an unexpected error becomes a logged 500 rather than a dropped connection.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as BrainError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as BulkWorkStopped {
            return try APIError(error).response(from: request, context: context)
        } catch let error as HTTPParserError {
            // A body shorter than its Content-Length or a broken chunk: the client's fault, and
            // the connection's framing is lost, so it is closed after the answer.
            let api = APIError(
                status: .badRequest, code: "malformed_request", message: "the request could not be read: \(error)").closingConnection()
            return try api.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            return try APIError.routeNotFound(request).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let api = APIError(status: error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
            return try api.response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["braind.error": "\(error)", "braind.path": "\(request.uri.path)"])
            let api = APIError(status: .internalServerError, code: "internal", message: "internal error; see the braind log")
            return try api.response(from: request, context: context)
        }
    }
}
