/// The outcome of loading one owner's memories: the save's `{success, saved_count, failed_count,
/// errors, items}` plus the memories the load removed because their field became empty.
public struct LoadResult: Sendable, Codable, Equatable {
    /// True when no memory failed.
    public var success: Bool
    /// Memories created, updated or unchanged.
    public var savedCount: Int
    public var failedCount: Int
    /// Messages in the save's style: `Error with company memory SLUG: REASON`.
    public var errors: [String]
    /// One result per saved memory, in builder-table order.
    public var items: [SaveItemResult]
    /// Memories deleted because their field is now empty.
    public var removedCount: Int
    /// Each deletion: `tombstoned` (Mem0 still has to delete it) or `purged`.
    public var removed: [DeleteResult]

    public init(save: SaveBatchResult?, removed: [DeleteResult]) {
        success = save?.success ?? true
        savedCount = save?.savedCount ?? 0
        failedCount = save?.failedCount ?? 0
        errors = save?.errors ?? []
        items = save?.items ?? []
        removedCount = removed.count
        self.removed = removed
    }

    /// Whether the load left anything for the push worker: callers wake it when true
    /// (`SyncControl.localChangesCommitted()`).
    public var changedLocally: Bool {
        items.contains { $0.status == .created || $0.status == .updated } || removed.contains { $0.status == "tombstoned" }
    }

    public enum CodingKeys: String, CodingKey {
        case success, errors, items, removed
        case savedCount = "saved_count"
        case failedCount = "failed_count"
        case removedCount = "removed_count"
    }
}

/// The seed's `load_all_companies_memories` result, plus update and removal counts and the errors.
public struct LoadAllCompaniesResult: Sendable, Codable, Equatable {
    public var totalCompanies: Int
    /// Companies whose load had no failed memory.
    public var loadedCompanies: Int
    public var failedCompanies: Int
    /// Memories whose save status was `created`, including a deleted memory brought back.
    public var totalMemoriesCreated: Int
    /// Memories whose save status was `updated`.
    public var totalMemoriesUpdated: Int
    /// Memories removed because their field became empty.
    public var totalMemoriesRemoved: Int
    /// `company RUT: message` for each failure.
    public var errors: [String]

    public init(_ summary: LoadAllSummary) {
        totalCompanies = summary.total
        loadedCompanies = summary.loaded
        failedCompanies = summary.failed
        totalMemoriesCreated = summary.created
        totalMemoriesUpdated = summary.updated
        totalMemoriesRemoved = summary.removed
        errors = summary.errors
    }

    /// Whether the load left anything for the push worker (it may count a purge, which needs none).
    public var changedLocally: Bool { totalMemoriesCreated + totalMemoriesUpdated + totalMemoriesRemoved > 0 }

    public enum CodingKeys: String, CodingKey {
        case errors
        case totalCompanies = "total_companies"
        case loadedCompanies = "loaded_companies"
        case failedCompanies = "failed_companies"
        case totalMemoriesCreated = "total_memories_created"
        case totalMemoriesUpdated = "total_memories_updated"
        case totalMemoriesRemoved = "total_memories_removed"
    }
}

/// The seed's `load_all_users_memories` result, the twin of `LoadAllCompaniesResult`.
public struct LoadAllUsersResult: Sendable, Codable, Equatable {
    public var totalUsers: Int
    public var loadedUsers: Int
    public var failedUsers: Int
    /// Memories whose save status was `created`, including a deleted memory brought back.
    public var totalMemoriesCreated: Int
    public var totalMemoriesUpdated: Int
    public var totalMemoriesRemoved: Int
    /// `user RUT: message` for each failure.
    public var errors: [String]

    public init(_ summary: LoadAllSummary) {
        totalUsers = summary.total
        loadedUsers = summary.loaded
        failedUsers = summary.failed
        totalMemoriesCreated = summary.created
        totalMemoriesUpdated = summary.updated
        totalMemoriesRemoved = summary.removed
        errors = summary.errors
    }

    /// Whether the load left anything for the push worker (it may count a purge, which needs none).
    public var changedLocally: Bool { totalMemoriesCreated + totalMemoriesUpdated + totalMemoriesRemoved > 0 }

    public enum CodingKeys: String, CodingKey {
        case errors
        case totalUsers = "total_users"
        case loadedUsers = "loaded_users"
        case failedUsers = "failed_users"
        case totalMemoriesCreated = "total_memories_created"
        case totalMemoriesUpdated = "total_memories_updated"
        case totalMemoriesRemoved = "total_memories_removed"
    }
}

/// The counts of a load-all, shared by both brains' result types; on a shared database, also
/// one chunk's counts, stored with the chunk and summed.
public struct LoadAllSummary: Sendable, Codable, Equatable {
    public var total = 0
    public var loaded = 0
    public var failed = 0
    public var created = 0
    public var updated = 0
    public var removed = 0
    public var errors: [String] = []

    /// Adds one owner's outcome.
    public mutating func add(_ result: LoadResult, brain: BrainKind, rut: String) {
        if result.success {
            loaded += 1
        } else {
            failed += 1
            errors += result.errors.map { "\(brain.rawValue) \(rut): \($0)" }
        }
        created += result.items.count { $0.status == .created }
        updated += result.items.count { $0.status == .updated }
        removed += result.removedCount
    }

    /// Adds another part's counts (a chunk of the same job).
    public mutating func add(_ other: LoadAllSummary) {
        total += other.total
        loaded += other.loaded
        failed += other.failed
        created += other.created
        updated += other.updated
        removed += other.removed
        errors += other.errors
    }

    public init(
        total: Int = 0, loaded: Int = 0, failed: Int = 0, created: Int = 0, updated: Int = 0, removed: Int = 0, errors: [String] = []
    ) {
        self.total = total
        self.loaded = loaded
        self.failed = failed
        self.created = created
        self.updated = updated
        self.removed = removed
        self.errors = errors
    }
}
