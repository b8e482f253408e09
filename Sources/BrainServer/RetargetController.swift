import BrainCore
import Hummingbird

/// `POST /v1/retarget`: move braind to the configured Mem0 after a change of target (status
/// `target_changed`): forget the old ids and push every row to the new one, exactly once.
struct RetargetController<Context: BrainContext> {
    /// Nil when no Mem0 is configured.
    let control: (any RetargetControl)?
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("retarget", use: retarget)
    }

    struct Body: Decodable, StrictBody {
        static var fields: Set<String> { ["dry_run"] }
        var dryRun: Bool?

        enum CodingKeys: String, CodingKey { case dryRun = "dry_run" }
    }

    @Sendable func retarget(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        var body = Body()
        let buffer = try await JSONResponse.collect(request, limit: settings.maxBodyBytes)
        if buffer.readableBytes > 0 { body = try JSONResponse.decode(Body.self, from: buffer) }
        guard let control else {
            throw APIError(status: .conflict, code: "mem0_not_configured", message: "retarget needs Mem0: set MEM0_API_KEY (or mem0.api = \"oss\" and MEM0_BASE_URL) and restart braind")
        }
        do {
            return JSONResponse.make(try await control.retarget(dryRun: body.dryRun ?? false))
        } catch let error as BrainError {
            throw error
        } catch {
            throw APIError(status: .badGateway, code: "mem0_unavailable", message: "the configured Mem0 could not be reached to learn its target: \(error)")
        }
    }
}
