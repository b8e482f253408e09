import Foundation
import Hummingbird

/// Response and request-body helpers shared by the Platform and control routes.
enum FakeMem0HTTP {
    /// Largest request body read; more than any real add or list body.
    static let maxBodySize = 16 << 20

    /// A JSON response.
    static func json(_ value: FakeJSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// A response with a raw body, for injected error bodies of any shape.
    static func raw(_ body: String, status: HTTPResponse.Status, contentType: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        if !body.isEmpty { fields[.contentType] = contentType }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The request body as JSON: nil for an empty body, `.failure` for a body that is not JSON.
    static func body(of request: Request) async throws -> Result<FakeJSON?, BadJSON> {
        let buffer = try await request.body.collect(upTo: maxBodySize)
        let bytes = Data(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(nil) }
        do {
            return .success(try JSONDecoder().decode(FakeJSON.self, from: bytes))
        } catch {
            return .failure(BadJSON())
        }
    }

    /// The body was not valid JSON.
    struct BadJSON: Error {}

    /// Whether `id` is a UUID in any case (the Platform's ids are lower-case UUIDs).
    static func isUUID(_ id: String) -> Bool {
        UUID(uuidString: id) != nil
    }

    /// The Platform's 400 for a malformed memory id.
    static var invalidUUID: Response {
        json(["error": "memory_id should be a valid UUID"], status: .badRequest)
    }

    /// The Platform's 404 for a missing memory.
    static var memoryNotFound: Response {
        json(["error": "Memory not found!"], status: .notFound)
    }

    /// The add endpoint's validation error shape.
    static func addValidation(_ message: String) -> Response {
        json(["error": "400 Bad Request", "details": ["message": .string(message)]], status: .badRequest)
    }

    /// The list/search validation error shape.
    static func filterValidation(_ message: String) -> Response {
        json(["message": .string(message)], status: .badRequest)
    }

    /// The default body of an injected error status (the Platform documents none for 429/5xx).
    static func defaultFaultBody(status: Int, retryAfter: String?) -> FakeJSON {
        switch status {
        case 429: ["detail": .string("Request was throttled. Expected available in \(retryAfter ?? "1") seconds.")]
        case 500: ["error": "Internal server error"]
        case 502: ["detail": "Bad gateway"]
        case 503: ["detail": "Service temporarily unavailable, try again later."]
        case 504: ["detail": "Gateway timeout"]
        default: ["error": .string("Injected failure (HTTP \(status))")]
        }
    }
}
