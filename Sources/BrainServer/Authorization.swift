import BrainCore
import Hummingbird

/// Route-level checks of what the request's principal may reach.
enum Authorization {
    /// Full access only: routes that span owners (status, imports, loads of all, reconcile, tokens).
    static func requireFull(_ principal: Principal) throws {
        guard case .token = principal else { return }
        throw APIError(status: .forbidden, code: "forbidden", message: "a scoped token cannot use this route")
    }

    /// One owner's brain: a user token reaches its own user brain and the company brains of
    /// companies where that user has an active session; a company token its own brain; read-only
    /// tokens never write.
    static func require(
        _ principal: Principal, brain: BrainKind, owner: OwnerReference, write: Bool, database: any MemoryStore & OwnerStore
    ) async throws {
        guard case .token(let token) = principal else { return }
        if write && token.readOnly {
            throw APIError(status: .forbidden, code: "forbidden", message: "this token is read-only")
        }
        let rut: String
        switch owner {
        case .rut(let value): rut = value.normalized
        case .id: rut = try await database.entity(brain, owner: owner)
        }
        let allowed: Bool = switch (token.brain, brain) {
        case (.user, .user), (.company, .company): token.rut == rut
        case (.user, .company): try await database.hasActiveSession(userRUT: token.rut, companyRUT: rut)
        case (.company, .user): false
        }
        guard allowed else {
            throw APIError(status: .forbidden, code: "forbidden", message: "this token does not reach the \(brain.rawValue) brain of \(rut)")
        }
    }

    /// The reads a request may make: a user token's go through the store's user scope (row-level
    /// security on PostgreSQL), everyone else's through the store itself.
    static func reads(_ principal: Principal, database: any MemoryStore) -> any MemoryReads {
        guard case .token(let token) = principal, token.brain == .user else { return database }
        return database.reads(asUser: token.rut)
    }
}
