import BrainCore
import GRDB

extension BrainDatabase {
    /// Default and maximum page sizes for `list`.

    /// The live memory with this slug. Tombstoned memories are gone for readers at once.
    public func memory(_ brain: BrainKind, owner reference: OwnerReference, slug: String) async throws -> Memory {
        let slug = try MemoryInput.validSlug(slug)
        return try await storageRead { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            guard
                let row = try BrainRow.fetchOne(
                    db, sql: BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.slug = ? AND b.deleted = 0",
                    arguments: [owner.id, slug])
            else { throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug) }
            return row.memory(brain: brain)
        }
    }

    /// One page of an owner's live memories, ordered by slug.
    /// - Parameters:
    ///   - category: only memories with this category.
    ///   - limit: page size, 1 to `maxPageSize`.
    ///   - cursor: the `nextCursor` of the previous page.
    public func list(
        _ brain: BrainKind, owner reference: OwnerReference, category: String? = nil,
        limit: Int = StoreLimits.defaultPageSize, cursor: String? = nil
    ) async throws -> MemoryPage {
        try StoreLimits.checkPage(limit: limit, cursor: cursor)
        return try await storageRead { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            var sql = BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.deleted = 0"
            var arguments: StatementArguments = [owner.id]
            if let category {
                sql += " AND b.category = ?"
                _ = arguments.append(contentsOf: [category])
            }
            if let cursor {
                sql += " AND b.slug > ?"
                _ = arguments.append(contentsOf: [cursor])
            }
            sql += " ORDER BY b.slug LIMIT ?"
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try BrainRow.fetchAll(db, sql: sql, arguments: arguments)
            let page = rows.prefix(limit).map { $0.memory(brain: brain) }
            return MemoryPage(memories: page, nextCursor: rows.count > limit ? page.last?.slug : nil)
        }
    }
}
