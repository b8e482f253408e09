/// A live memory as the API shows it: the brain row without its sync bookkeeping internals.
public struct Memory: Sendable, Codable, Equatable {
    /// The row's UUID, sent to Mem0 as `metadata.record_id`.
    public var id: String
    public var brain: BrainKind
    public var ownerID: String
    /// Normalized RUT of the owner: the Mem0 entity id.
    public var ownerRUT: String
    public var slug: String
    public var category: String?
    public var content: String
    public var metadata: [String: JSONValue]
    /// Mem0's id, nil until the first successful push.
    public var memoryID: String?
    public var version: Int
    public var syncedVersion: Int
    public var syncState: SyncState
    public var lastError: String?
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, brain, slug, category, content, metadata, version
        case ownerID = "owner_id"
        case ownerRUT = "owner_rut"
        case memoryID = "memory_id"
        case syncedVersion = "synced_version"
        case syncState = "sync_state"
        case lastError = "last_error"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: String, brain: BrainKind, ownerID: String, ownerRUT: String, slug: String, category: String? = nil, content: String, metadata: [String: JSONValue], memoryID: String? = nil, version: Int, syncedVersion: Int, syncState: SyncState, lastError: String? = nil, createdAt: String, updatedAt: String) {
        self.id = id
        self.brain = brain
        self.ownerID = ownerID
        self.ownerRUT = ownerRUT
        self.slug = slug
        self.category = category
        self.content = content
        self.metadata = metadata
        self.memoryID = memoryID
        self.version = version
        self.syncedVersion = syncedVersion
        self.syncState = syncState
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One page of a list, ordered by slug. Pass `nextCursor` back as `cursor` for the next page.
public struct MemoryPage: Sendable, Codable, Equatable {
    public var memories: [Memory]
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case memories
        case nextCursor = "next_cursor"
    }

    public init(memories: [Memory], nextCursor: String? = nil) {
        self.memories = memories
        self.nextCursor = nextCursor
    }
}

/// The outcome of a delete.
public struct DeleteResult: Sendable, Codable, Equatable {
    public var slug: String
    /// `tombstoned` when Mem0 still has to delete it; `purged` when it never reached Mem0.
    public var status: String

    public init(slug: String, status: String) {
        self.slug = slug
        self.status = status
    }
}
