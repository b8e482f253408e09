import BrainCore
import Foundation
import PostgresNIO

// Each read is written once against a connection; the public method runs it as braind_service,
// `PostgresUserReads` runs it inside a user scope, where RLS hides other users' rows.
extension PostgresStore {
    /// The live memory with this slug. Tombstoned memories are gone for readers at once.
    public func memory(_ brain: BrainKind, owner reference: OwnerReference, slug: String) async throws -> Memory {
        let slug = try MemoryInput.validSlug(slug)
        return try await read { connection in try await self.memory(brain, owner: reference, slug: slug, on: connection) }
    }

    /// One page of an owner's live memories, ordered by slug.
    /// - Parameters:
    ///   - category: only memories with this category.
    ///   - limit: page size, 1 to `StoreLimits.maxPageSize` (1,000).
    ///   - cursor: the `nextCursor` of the previous page.
    public func list(
        _ brain: BrainKind, owner reference: OwnerReference, category: String? = nil,
        limit: Int = StoreLimits.defaultPageSize, cursor: String? = nil
    ) async throws -> MemoryPage {
        try StoreLimits.checkPage(limit: limit, cursor: cursor)
        return try await read { connection in
            try await self.page(brain, owner: reference, category: category, limit: limit, cursor: cursor, on: connection)
        }
    }

    public func reads(asUser userRUT: String) -> any MemoryReads {
        PostgresUserReads(store: self, userRUT: userRUT)
    }

    func memory(_ brain: BrainKind, owner reference: OwnerReference, slug: String, on connection: PostgresConnection) async throws -> Memory {
        let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: logger)
        guard let row = try await connection.brainRows(
            "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND b.slug = \(slug) AND NOT b.deleted",
            logger: logger
        ).first else { throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug) }
        return row.memory(brain: brain)
    }

    func page(
        _ brain: BrainKind, owner reference: OwnerReference, category: String?, limit: Int, cursor: String?,
        on connection: PostgresConnection
    ) async throws -> MemoryPage {
        let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: logger)
        // PostgreSQL text cannot hold NUL, so no category has one (saves refuse it): nothing
        // matches, as on SQLite, instead of the server refusing the query.
        if category?.contains("\u{0}") == true { return MemoryPage(memories: [], nextCursor: nil) }
        // COLLATE "C": pages follow byte order, as SQLite's, whatever the database's collation.
        let rows = try await connection.brainRows(
            """
            \(unescaped: PostgresBrainRow.select(brain))
            WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND NOT b.deleted
              AND (\(category)::text IS NULL OR b.category = \(category))
              AND (\(cursor)::text IS NULL OR b.slug::text COLLATE "C" > \(cursor))
            ORDER BY b.slug::text COLLATE "C" LIMIT \(limit + 1)
            """, logger: logger)
        let page = rows.prefix(limit).map { $0.memory(brain: brain) }
        return MemoryPage(memories: page, nextCursor: rows.count > limit ? page.last?.slug : nil)
    }
}
