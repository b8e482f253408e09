import Hummingbird
import NIOCore

/// `GET /v1/openapi.json`: the API's contract (schema/openapi.yaml, embedded as JSON), so clients
/// other than the `brain` CLI can generate code and check answers against it.
struct OpenAPIController<Context: BrainContext> {
    func addRoutes(to group: RouterGroup<Context>) {
        group.get("openapi.json", use: document)
    }

    @Sendable func document(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: openAPIBody))
    }
}

/// Copied into a buffer once (a generic type cannot hold a static stored property).
private let openAPIBody = ByteBuffer(string: EmbeddedOpenAPI.json)
