import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Stores a new token's hash and scope.
    public func createToken(hash: String, brain: BrainKind, rut: String, readOnly: Bool) async throws -> AccessToken {
        let id = UUID()
        let now = Date()
        try await transaction { connection in
            try await connection.execute(
                """
                INSERT INTO access_tokens (id, token_hash, brain, rut, read_only, created_at)
                VALUES (\(id), \(hash), \(brain.rawValue), \(rut), \(readOnly), \(now))
                """, logger: self.logger)
        }
        return AccessToken(
            id: id.uuidString.lowercased(), brain: brain, rut: rut, readOnly: readOnly, createdAt: Timestamp.string(from: now))
    }

    /// The live token with this hash, if any.
    public func token(hash: String) async throws -> AccessToken? {
        try await read { connection in
            try await connection.rows(
                "\(unescaped: Self.tokenColumns) WHERE token_hash = \(hash) AND revoked_at IS NULL", logger: self.logger
            ).first.map(Self.token(from:))
        }
    }

    /// Every token, newest first (hashes are never returned).
    public func tokens() async throws -> [AccessToken] {
        try await read { connection in
            try await connection.rows("\(unescaped: Self.tokenColumns) ORDER BY created_at DESC", logger: self.logger)
                .map(Self.token(from:))
        }
    }

    /// Revokes a token; false when no live token has that id.
    public func revokeToken(id: String) async throws -> Bool {
        guard let uuid = UUID(uuidString: id) else { return false }
        return try await transaction { connection in
            try await connection.execute(
                "UPDATE access_tokens SET revoked_at = now() WHERE id = \(uuid) AND revoked_at IS NULL RETURNING 1",
                logger: self.logger) == 1
        }
    }

    /// Whether a user has an active session with a company (the seed's rule for company brains).
    public func hasActiveSession(userRUT: String, companyRUT: String) async throws -> Bool {
        try await read { connection in
            try await connection.rows(
                """
                SELECT EXISTS (SELECT 1 FROM sessions s
                    JOIN profiles p ON p.id = s.user_id JOIN companies c ON c.id = s.company_id
                    WHERE p.rut = \(userRUT) AND c.rut = \(companyRUT) AND s.is_active
                      AND (s.expires_at IS NULL OR s.expires_at > now()))
                """, logger: self.logger
            ).first?.decode(Bool.self) ?? false
        }
    }

    private static let tokenColumns = "SELECT id::text, brain, rut, read_only, created_at, revoked_at FROM access_tokens"

    private static func token(from row: PostgresRow) throws -> AccessToken {
        let (id, brain, rut, readOnly, created, revoked) = try row.decode((String, String, String, Bool, Date, Date?).self)
        return AccessToken(
            id: id, brain: BrainKind(rawValue: brain) ?? .user, rut: rut, readOnly: readOnly,
            createdAt: Timestamp.string(from: created), revokedAt: revoked.map(Timestamp.string(from:)))
    }
}
