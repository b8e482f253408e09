/// The body of a save: `{"memories": [{slug, category, content, metadata}]}`.
public struct SaveBatchRequest: Sendable, Codable, Equatable {
    public var memories: [MemoryInput]

    public init(memories: [MemoryInput]) { self.memories = memories }

    enum CodingKeys: String, CodingKey {
        case memories
    }

    /// Shape errors of the envelope are `BrainError.invalid` naming the field; shape errors inside
    /// one item are kept on the item so that it fails alone.
    public init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            throw BrainError.invalid(field: "body", reason: "must be a JSON object with a 'memories' array")
        }
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { $0 != "memories" }) {
            throw BrainError.invalid(field: unknown, reason: "unknown field; expected 'memories'")
        }
        do {
            memories = try container.decode([MemoryInput].self, forKey: AnyCodingKey(stringValue: "memories"))
        } catch {
            throw BrainError.invalid(field: "memories", reason: "must be an array of memories")
        }
    }
}

/// What happened to one item of a save batch.
public enum SaveStatus: String, Sendable, Codable {
    case created, updated, unchanged, failed
}

/// The state of a row with respect to Mem0.
public enum SyncState: String, Sendable, Codable, CaseIterable {
    /// Local changes Mem0 does not have yet.
    case pending
    /// A push is running for this row.
    case inFlight = "in_flight"
    /// Mem0 has the row's current version.
    case synced
    /// Mem0 rejected the row; retried after its next change or on `brain retry`.
    case failed
}

/// The batch rules every store applies before touching its database.
public enum SaveBatch {
    /// Refuses an empty or oversized batch as a whole, then validates each item on its own: an
    /// invalid item fails alone, with its index in the field name.
    public static func validate(_ memories: [MemoryInput]) throws(BrainError) -> [Result<ValidMemory, BrainError>] {
        guard !memories.isEmpty else {
            throw BrainError.invalid(field: "memories", reason: "must hold at least one memory")
        }
        guard memories.count <= MemoryLimits.batchMaxItems else {
            throw BrainError.invalid(field: "memories", reason: "at most \(MemoryLimits.batchMaxItems) items per batch")
        }
        return memories.enumerated().map { index, input in
            Result { () throws(BrainError) in try input.validated(field: "memories[\(index)]") }
        }
    }
}

/// One item's outcome in a batch result.
public struct SaveItemResult: Sendable, Codable, Equatable {
    public var slug: String?
    public var status: SaveStatus
    public var syncState: SyncState?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case slug, status, error
        case syncState = "sync_state"
    }

    public init(slug: String? = nil, status: SaveStatus, syncState: SyncState? = nil, error: String? = nil) {
        self.slug = slug
        self.status = status
        self.syncState = syncState
        self.error = error
    }
}

/// The seed's `{success, saved_count, failed_count, errors}` plus per-item results.
public struct SaveBatchResult: Sendable, Codable, Equatable {
    public var success: Bool
    public var savedCount: Int
    public var failedCount: Int
    /// Messages in the seed's style: `Error with company memory SLUG: REASON`.
    public var errors: [String]
    public var items: [SaveItemResult]

    enum CodingKeys: String, CodingKey {
        case success, errors, items
        case savedCount = "saved_count"
        case failedCount = "failed_count"
    }

    public init(items: [SaveItemResult], brain: BrainKind) {
        self.items = items
        failedCount = items.count { $0.status == .failed }
        savedCount = items.count - failedCount
        success = failedCount == 0
        errors = items.compactMap { item in
            item.error.map { "Error with \(brain.rawValue) memory \(item.slug ?? "(no slug)"): \($0)" }
        }
    }
}
