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
}
