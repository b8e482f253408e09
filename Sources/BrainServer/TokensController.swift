import BrainCore
import Crypto
import Foundation
import Hummingbird

/// `/v1/tokens`: create (shown once), list and revoke scoped tokens. Full access only.
struct TokensController<Context: BrainContext> {
    let database: any TokenStore & MemoryStore & OwnerStore
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("tokens", use: create)
        group.get("tokens", use: list)
        group.delete("tokens/:id", use: revoke)
    }

    /// Body of `POST /v1/tokens`: exactly one of `user` and `company`.
    struct CreateRequest: Decodable, StrictBody {
        static var fields: Set<String> { ["user", "company", "read_only"] }
        var user: String?
        var company: String?
        var readOnly: Bool?

        enum CodingKeys: String, CodingKey {
            case user, company
            case readOnly = "read_only"
        }
    }

    struct TokenList: Codable {
        var tokens: [AccessToken]
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let body = try await JSONResponse.decode(CreateRequest.self, from: request, limit: settings.maxBodyBytes)
        let (brain, text): (BrainKind, String)
        switch (body.user, body.company) {
        case (let user?, nil): (brain, text) = (.user, user)
        case (nil, let company?): (brain, text) = (.company, company)
        default: throw BrainError.invalid(field: "user", reason: "give exactly one of user and company")
        }
        let rut: RUT
        do {
            rut = try RUT(text, verifyCheckDigit: settings.verifyRUTCheckDigit)
        } catch {
            throw BrainError.invalid(field: brain == .user ? "user" : "company", reason: error.description)
        }
        let secret = "bt_" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        let token = try await database.createToken(
            hash: AccessTokenHash.of(secret), brain: brain, rut: rut.normalized, readOnly: body.readOnly ?? false)
        return JSONResponse.make(CreatedToken(token: secret, details: token), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        return JSONResponse.make(TokenList(tokens: try await database.tokens()))
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let id = try context.parameters.require("id")
        guard try await database.revokeToken(id: id) else {
            throw APIError(status: .notFound, code: "token_not_found", message: "no live token with id '\(id)'")
        }
        return JSONResponse.make(["revoked": id])
    }
}
