import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Stores a new token's hash and scope.
    public func createToken(hash: String, brain: BrainKind, rut: String, readOnly: Bool) async throws -> AccessToken {
        let token = AccessToken(
            id: UUID().uuidString.lowercased(), brain: brain, rut: rut, readOnly: readOnly, createdAt: Timestamp.now())
        try await storageWrite { db in
            try db.execute(
                sql: "INSERT INTO access_tokens (id, token_hash, brain, rut, read_only, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token.id, hash, brain.rawValue, rut, readOnly, token.createdAt])
        }
        return token
    }

    /// The live token with this hash, if any.
    public func token(hash: String) async throws -> AccessToken? {
        try await storageRead { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_tokens WHERE token_hash = ? AND revoked_at IS NULL", arguments: [hash])
                .map(Self.token(from:))
        }
    }

    /// Every token, newest first (hashes are never returned).
    public func tokens() async throws -> [AccessToken] {
        try await storageRead { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_tokens ORDER BY created_at DESC").map(Self.token(from:))
        }
    }

    /// Revokes a token; false when no live token has that id.
    public func revokeToken(id: String) async throws -> Bool {
        try await storageWrite { db in
            try db.execute(
                sql: "UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [Timestamp.now(), id])
            return db.changesCount == 1
        }
    }

    /// Whether a user has an active session with a company (the seed's rule for company brains).
    public func hasActiveSession(userRUT: String, companyRUT: String) async throws -> Bool {
        try await storageRead { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT count(*) > 0 FROM sessions s
                    JOIN profiles p ON p.id = s.user_id JOIN companies c ON c.id = s.company_id
                    WHERE p.rut = ? AND c.rut = ? AND s.is_active = 1
                    """,
                arguments: [userRUT, companyRUT]) ?? false
        }
    }

    private static func token(from row: Row) -> AccessToken {
        AccessToken(
            id: row["id"], brain: BrainKind(rawValue: row["brain"]) ?? .user, rut: row["rut"], readOnly: row["read_only"],
            createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}
