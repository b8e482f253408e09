import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// An export of live memories, optionally one brain and one owner.
    public func makeExporter(brain: BrainKind?, owner: OwnerReference?, rowsPerPage: Int) throws -> any MemoryExporting {
        PostgresExporter(store: self, brain: brain, owner: owner, rowsPerPage: rowsPerPage)
    }

    /// Gives memories an import just saved the times of their export, each only while the row
    /// still holds exactly what the import wrote; version and sync state do not change.
    public func applyImportedTimestamps(_ groups: [(brain: BrainKind, owner: OwnerReference, items: [ImportedTimestamps])]) async throws {
        let prepared = groups.map { group in
            (group.brain, group.owner, group.items.map { item in
                // As text, cast by the server: a Date bound as microseconds can land a hair below
                // the exported millisecond, and the next export would print one less.
                (created: item.createdAt.flatMap { Timestamp.date(from: $0) == nil ? nil : $0 },
                 updated: item.updatedAt.flatMap { Timestamp.date(from: $0) == nil ? nil : $0 },
                 memory: item.memory, metadata: item.memory.metadataText)
            })
        }
        try await transaction { connection in
            for (brain, reference, rows) in prepared {
                let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
                let ownerID = UUID(uuidString: owner.id)!
                for row in rows {
                    try await connection.execute(
                        """
                        UPDATE \(unescaped: brain.table)
                        SET created_at = coalesce(\(row.created)::timestamptz, created_at), updated_at = coalesce(\(row.updated)::timestamptz, updated_at)
                        WHERE \(unescaped: brain.ownerColumn) = \(ownerID) AND slug = \(row.memory.slug) AND NOT deleted
                          AND content = \(row.memory.content) AND category IS NOT DISTINCT FROM \(row.memory.category)
                          AND extra_metadata = \(row.metadata)::jsonb
                        """, logger: self.logger)
                }
            }
        }
    }

    /// PostgreSQL has its own tools for a consistent copy while the server runs.
    public func backup(to path: String, overwrite: Bool) async throws -> BackupReport {
        throw BrainError.invalid(
            field: "backup",
            reason: "braind does not copy a PostgreSQL store; PostgreSQL's own tool does, while braind runs: "
                + "pg_dump --format=custom --file=\(path) '\(url.redacted)' (password from PGPASSWORD; restore with pg_restore)")
    }
}

extension PostgresStore: BrainStore {
    public var storeDescription: StoreDescription {
        StoreDescription(kind: "postgresql", version: serverVersion, location: url.redacted)
    }

    /// The database's size on the server, for metrics.
    public func storageBytes() async throws -> [String: Int] {
        try await read { connection in
            let bytes = try await connection.rows("SELECT pg_database_size(current_database())", logger: self.logger)
                .first?.decode(Int.self) ?? 0
            return ["database": bytes]
        }
    }
}
