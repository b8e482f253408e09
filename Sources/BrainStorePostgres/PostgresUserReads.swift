import BrainCore
import PostgresNIO

/// The reads of a user-token request, each in a transaction as `braind_user` with the user's id
/// set, so the seed's RLS policies decide which rows exist: the user's own brain, and company
/// brains where the user has an active session. Anything else reads as not found or empty.
struct PostgresUserReads: MemoryReads {
    let store: PostgresStore
    let userRUT: String

    func memory(_ brain: BrainKind, owner: OwnerReference, slug: String) async throws -> Memory {
        let slug = try MemoryInput.validSlug(slug)
        return try await store.withUserScope(userRUT: userRUT) { connection in
            try await store.memory(brain, owner: owner, slug: slug, on: connection)
        }
    }

    func list(_ brain: BrainKind, owner: OwnerReference, category: String?, limit: Int, cursor: String?) async throws -> MemoryPage {
        try StoreLimits.checkPage(limit: limit, cursor: cursor)
        return try await store.withUserScope(userRUT: userRUT) { connection in
            try await store.page(brain, owner: owner, category: category, limit: limit, cursor: cursor, on: connection)
        }
    }

    func searchLocal(_ brain: BrainKind, owner: OwnerReference, query: String, limit: Int) async throws -> [SearchHit] {
        let terms = try SearchTerms(query: query, limit: limit)
        return try await store.withUserScope(userRUT: userRUT) { connection in
            try await store.search(brain, owner: owner, terms: terms, on: connection)
        }
    }

    func memories(_ brain: BrainKind, owner: OwnerReference, memoryIDs: [String]) async throws -> [String: Memory] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try await store.withUserScope(userRUT: userRUT) { connection in
            try await store.memories(brain, owner: owner, memoryIDs: memoryIDs, on: connection)
        }
    }
}
