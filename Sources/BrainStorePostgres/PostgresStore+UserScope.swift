import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Runs `body` as the user with this RUT, so that row-level security enforces the scope of a
    /// user token as well as the daemon's own checks: `SET LOCAL ROLE braind_user` and the
    /// transaction-local `app.user_id` that `auth.uid()` reads. Both end with the transaction, so
    /// the pooled connection goes back as braind_service.
    /// - Throws: `BrainError.ownerNotFound` for an unknown user.
    public func withUserScope<T: Sendable>(
        userRUT: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await transaction { connection in
            let reference = OwnerReference.rut(try RUT(userRUT, verifyCheckDigit: false))
            let user = try await Self.resolve(reference, brain: .user, create: false, on: connection, logger: self.logger)
            try await connection.execute("SET LOCAL ROLE braind_user", logger: self.logger)
            try await connection.execute("SELECT set_config('app.user_id', \(user.id), true)", logger: self.logger)
            return try await body(connection)
        }
    }

    /// `list` for a user-scoped request: the user's own brain, or a company's where the user has
    /// an active session; any other owner reads as empty, because the database hides its rows.
    public func list(
        _ brain: BrainKind, owner reference: OwnerReference, asUser userRUT: String, category: String? = nil,
        limit: Int = StoreLimits.defaultPageSize, cursor: String? = nil
    ) async throws -> MemoryPage {
        try StoreLimits.checkPage(limit: limit, cursor: cursor)
        return try await withUserScope(userRUT: userRUT) { connection in
            try await self.page(brain, owner: reference, category: category, limit: limit, cursor: cursor, on: connection)
        }
    }

    /// `memory` for a user-scoped request: a row the database hides is not found.
    public func memory(_ brain: BrainKind, owner reference: OwnerReference, slug: String, asUser userRUT: String) async throws -> Memory {
        let slug = try MemoryInput.validSlug(slug)
        return try await withUserScope(userRUT: userRUT) { connection in
            let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
            guard let row = try await connection.brainRows(
                "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND b.slug = \(slug) AND NOT b.deleted",
                logger: self.logger
            ).first else { throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug) }
            return row.memory(brain: brain)
        }
    }
}
