import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Finds the owner a reference names, or creates it when the reference is a RUT not seen yet
    /// and `create` is true. Two saves creating the same owner at once both get the one row.
    static func resolve(
        _ reference: OwnerReference, brain: BrainKind, create: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> Owner {
        let table = brain.ownerTable
        let lookup: PostgresQuery = switch reference {
        case .id(let uuid): "SELECT id::text, rut FROM \(unescaped: table) WHERE id = \(uuid)"
        case .rut(let rut): "SELECT id::text, rut FROM \(unescaped: table) WHERE rut = \(rut.normalized)"
        }
        if let row = try await connection.rows(lookup, logger: logger).first {
            let (id, rut) = try row.decode((String, String?).self)
            return Owner(id: id, rut: rut ?? "")
        }
        guard create, case .rut(let rut) = reference else {
            throw BrainError.ownerNotFound(brain: brain, owner: reference.description)
        }
        let rows = try await connection.rows(
            """
            INSERT INTO \(unescaped: table) AS o (rut) VALUES (\(rut.normalized))
            ON CONFLICT (rut) DO UPDATE SET rut = o.rut
            RETURNING id::text, rut
            """, logger: logger)
        guard let row = rows.first else { throw BrainError.ownerNotFound(brain: brain, owner: reference.description) }
        let (id, normalized) = try row.decode((String, String).self)
        return Owner(id: id, rut: normalized)
    }

    /// Resolves an owner in its own short read.
    func resolve(_ reference: OwnerReference, brain: BrainKind) async throws -> Owner {
        try await read { connection in
            try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
        }
    }
}
