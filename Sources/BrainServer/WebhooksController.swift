import BrainCore
import Hummingbird

/// `/v1/webhooks` on the socket: register, list and remove the Mem0 Platform webhook that points
/// at braind's webhook listener. braind holds the key, so the CLI goes through it.
struct WebhooksController<Context: BrainContext> {
    /// Nil when no Mem0 key is configured.
    let webhooks: (any WebhookControl)?
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("webhooks", use: register)
        group.get("webhooks", use: list)
        group.delete("webhooks/:id", use: remove)
    }

    struct RegisterRequest: Decodable, StrictBody {
        static var fields: Set<String> { ["url", "name"] }
        var url: String
        var name: String?
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let body = try await JSONResponse.decode(RegisterRequest.self, from: request, limit: settings.maxBodyBytes)
        guard let scheme = body.url.split(separator: ":").first, ["http", "https"].contains(scheme.lowercased()), body.url.contains("://")
        else {
            throw BrainError.invalid(field: "url", reason: "must be an http:// or https:// URL that reaches braind's webhook listener")
        }
        let control = try require()
        return JSONResponse.make(try await mem0 { try await control.registerWebhook(url: body.url, name: body.name ?? "braind") }, status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let control = try require()
        return JSONResponse.make(WebhookList(webhooks: try await mem0 { try await control.webhooks() }))
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let id = try context.parameters.require("id")
        let control = try require()
        try await mem0 { try await control.removeWebhook(id: id) }
        return JSONResponse.make(["removed": id])
    }

    private func require() throws -> any WebhookControl {
        guard let webhooks else {
            throw APIError(status: .conflict, code: "mem0_not_configured", message: "webhooks need Mem0: set MEM0_API_KEY and restart braind")
        }
        return webhooks
    }

    /// Mem0's refusals and failures are answered as 502, with Mem0's message (the key is never in it).
    private func mem0<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as NoWebhooks.Unsupported {
            throw APIError(status: .conflict, code: "webhooks_unsupported", message: error.description)
        } catch {
            throw APIError(status: .badGateway, code: "mem0_unavailable", message: "Mem0 webhooks: \(error)")
        }
    }
}

/// The answer of `GET /v1/webhooks`.
struct WebhookList: Codable {
    var webhooks: [WebhookInfo]
}
