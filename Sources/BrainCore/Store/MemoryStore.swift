import Foundation

/// The reads of one brain's memories. Every method resolves the owner by RUT or id and answers
/// `BrainError` for what the caller got wrong (`notFound`, `invalid`) or the store cannot do
/// (`storageUnavailable`).
public protocol MemoryReads: Sendable {
    /// One live memory by slug.
    func memory(_ brain: BrainKind, owner: OwnerReference, slug: String) async throws -> Memory

    /// A page of live memories ordered by slug; `cursor` is the previous page's `next_cursor`.
    func list(
        _ brain: BrainKind, owner: OwnerReference, category: String?, limit: Int, cursor: String?
    ) async throws -> MemoryPage

    /// Full-text search over one owner's live memories, best first.
    func searchLocal(_ brain: BrainKind, owner: OwnerReference, query: String, limit: Int) async throws -> [SearchHit]

    /// The owner's live memories holding these Mem0 ids (remote search results mapped to rows).
    func memories(_ brain: BrainKind, owner: OwnerReference, memoryIDs: [String]) async throws -> [String: Memory]
}

/// The memories themselves, as the HTTP routes read and write them: saves, reads, deletes and
/// local search.
public protocol MemoryStore: MemoryReads {
    /// Saves a batch for one owner: one row per slug, created, updated or unchanged (an
    /// identical save changes nothing and is not pushed again). Items fail one by one.
    func save(_ brain: BrainKind, owner: OwnerReference, memories: [MemoryInput]) async throws -> SaveBatchResult

    /// Deletes by slug: a row Mem0 never had is purged, any other becomes a tombstone that the
    /// push worker deletes remotely.
    func delete(_ brain: BrainKind, owner: OwnerReference, slug: String) async throws -> DeleteResult

    /// The owner's Mem0 entity id (normalized RUT); `notFound` for an unknown owner.
    func entity(_ brain: BrainKind, owner: OwnerReference) async throws -> String

    /// The reads of a request made with a user token. Where the database enforces row-level
    /// security (PostgreSQL) they run under the user's own identity, so that a bug in the
    /// daemon's scope check still cannot show another owner's rows: what the database hides reads
    /// as absent. A store without roles (SQLite) answers them itself; the route's check is then
    /// the only guard.
    func reads(asUser userRUT: String) -> any MemoryReads
}

extension MemoryReads {
    /// The first page at the default size.
    public func list(_ brain: BrainKind, owner: OwnerReference) async throws -> MemoryPage {
        try await list(brain, owner: owner, category: nil, limit: StoreLimits.defaultPageSize, cursor: nil)
    }

    /// A page of every category.
    public func list(_ brain: BrainKind, owner: OwnerReference, limit: Int, cursor: String? = nil) async throws -> MemoryPage {
        try await list(brain, owner: owner, category: nil, limit: limit, cursor: cursor)
    }

    /// The first page of one category.
    public func list(
        _ brain: BrainKind, owner: OwnerReference, category: String, limit: Int = StoreLimits.defaultPageSize
    ) async throws -> MemoryPage {
        try await list(brain, owner: owner, category: category, limit: limit, cursor: nil)
    }

    public func searchLocal(_ brain: BrainKind, owner: OwnerReference, query: String) async throws -> [SearchHit] {
        try await searchLocal(brain, owner: owner, query: query, limit: 10)
    }
}
