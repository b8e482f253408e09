import BrainCore
import Foundation
import Hummingbird

/// An error answered as `{"error": {"code", "message"}}` with its HTTP status.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Extra headers: `Allow` on a 405, `Connection: close` for errors that end the exchange (a
    /// client that may not use the socket, a request whose framing is broken).
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(ErrorBody(code: code, message: message), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The same error, answered with `Connection: close`.
    func closingConnection() -> APIError {
        var error = self
        error.headers[.connection] = "close"
        return error
    }

    static func malformedJSON(_ detail: String) -> APIError {
        APIError(status: .badRequest, code: "malformed_json", message: "request body is not valid JSON: \(detail)")
    }

    /// The connection stays open: Hummingbird reads past the rest of the body, and closing
    /// while the client still sends it made clients report a reset instead of this answer.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    static func routeNotFound(_ request: Request) -> APIError {
        APIError(status: .notFound, code: "route_not_found", message: "no route for \(request.method) \(request.uri.path)")
    }

    static func methodNotAllowed(_ request: Request, allowed: Set<HTTPRequest.Method>) -> APIError {
        let names = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.uri.path) has no \(request.method) route; it allows \(names)",
            headers: [.allow: names])
    }
}

extension APIError {
    /// The one mapping from store errors to HTTP answers.
    init(_ error: BrainError) {
        switch error {
        case .invalid:
            self.init(status: .unprocessableContent, code: error.code, message: error.description)
        case .ownerNotFound, .memoryNotFound:
            self.init(status: .notFound, code: error.code, message: error.description)
        case .storageUnavailable:
            self.init(status: .serviceUnavailable, code: error.code, message: error.description)
        }
    }

    /// Bulk work stopped by a shutdown: braind is going away, the client may retry after it returns.
    init(_ error: BulkWorkStopped) {
        self.init(status: .serviceUnavailable, code: "shutting_down", message: error.description)
    }
}
